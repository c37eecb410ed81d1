// Every operation of the contract against the simulator: paths, bodies, 404 -> null, paging flags,
// Location of createImage, and the exact number of calls for batched lookups.

import { beforeEach, describe, expect, it } from 'vitest';
import type { UpstreamSession } from '../../src/upstream/types.js';
import { count, rawGet, serviceSession, upstreamError, useSimulator } from './support.js';

const UNKNOWN = '11111111-1111-4111-8111-111111111111';

const fx = useSimulator();
let session: UpstreamSession;

beforeEach(() => {
  session = serviceSession(fx.client());
});

describe('compute', () => {
  it('lists servers in detail or briefly, with paging and filters', async () => {
    fx.sim.controls.addServers(5);
    const detail = await session.compute.listServers({ limit: 2 });
    expect(detail.servers).toHaveLength(2);
    expect(detail.hasNextPage).toBe(true);
    expect(detail.servers[0]!.status).toBeTruthy();
    const next = await session.compute.listServers({ limit: 1000, marker: detail.servers[1]!.id });
    expect(next.hasNextPage).toBe(false);
    expect(next.servers.some((s) => s.id === detail.servers[0]!.id)).toBe(false);
    const brief = await session.compute.listServers({ limit: 1 }, { detail: false });
    expect(Object.keys(brief.servers[0]!).sort()).toEqual(['id', 'links', 'name']);
    const named = await session.compute.listServers({ name: `^${detail.servers[0]!.name}$` });
    expect(named.servers.map((s) => s.id)).toContain(detail.servers[0]!.id);
  });

  it('gets a server, and null for an unknown one', async () => {
    const { servers } = await session.compute.listServers({ limit: 1 });
    expect((await session.compute.getServer(servers[0]!.id))?.id).toBe(servers[0]!.id);
    expect(await session.compute.getServer(UNKNOWN)).toBeNull();
  });

  it('creates, renames and deletes a server', async () => {
    const flavors = await session.compute.listFlavors();
    const { servers } = await session.compute.listServers({ limit: 1 });
    const model = servers[0]!;
    const imageRef = typeof model.image === 'object' ? model.image?.id : undefined;
    const networks = await session.network.listNetworks();
    const keypairs = await session.compute.listKeypairs();
    const created = await session.compute.createServer({
      server: {
        name: 'ops-test',
        imageRef,
        flavorRef: model.flavor?.id ?? flavors[0]!.id,
        networks: [{ uuid: networks[0]!.id }],
        key_name: keypairs[0]?.name ?? model.key_name,
        block_device_mapping_v2: [
          { uuid: imageRef, source_type: 'image', destination_type: 'volume', boot_index: 0, volume_size: 50, delete_on_termination: true },
        ],
      },
    });
    const id = created.server!.id;
    const renamed = await session.compute.updateServer(id, { name: 'ops-test-2' });
    expect(renamed.name).toBe('ops-test-2');
    await session.compute.deleteServer(id);
  });

  it('runs server actions and answers the Location of createImage', async () => {
    const { servers } = await session.compute.listServers({ name: '^(web-01|dev-u2)$' }, { detail: false });
    const web = servers.find((s) => s.name === 'web-01')!;
    const u2 = servers.find((s) => s.name === 'dev-u2')!;
    expect(await session.compute.serverAction(web.id, { reboot: { type: 'HARD' } })).toEqual({ location: undefined });
    const { location } = await session.compute.serverAction(u2.id, { createImage: { name: 'ops-image' } });
    const imageId = location!.split('/').pop()!;
    expect((await session.image.getImage(imageId))?.name).toBe('ops-image');
  });

  it('reads availability zones and keypairs; a generated keypair carries its private key once', async () => {
    expect((await session.compute.listAvailabilityZones()).length).toBeGreaterThan(0);
    const created = await session.compute.createKeypair({ name: 'upstream-test-key' });
    expect(created.private_key).toMatch(/PRIVATE KEY/);
    const fetched = await session.compute.getKeypair('upstream-test-key');
    expect(fetched?.name).toBe('upstream-test-key');
    expect(fetched?.private_key).toBeUndefined();
    expect(await session.compute.getKeypair('no such key')).toBeNull();
    await session.compute.deleteKeypair('upstream-test-key');
    expect(await session.compute.getKeypair('upstream-test-key')).toBeNull();
  });

  it('lists, gets, attaches and detaches volume attachments', async () => {
    const { servers } = await session.compute.listServers({ name: '^db-01$' });
    const db = servers[0]!;
    const attachments = await session.compute.listVolumeAttachments(db.id);
    expect(attachments.length).toBeGreaterThan(0);
    const first = attachments[0]!;
    expect((await session.compute.getVolumeAttachment(db.id, first.volumeId!))?.volumeId).toBe(first.volumeId);
    expect(await session.compute.getVolumeAttachment(db.id, UNKNOWN)).toBeNull();
    expect(await session.compute.listVolumeAttachments(db.id, { limit: 1 })).toHaveLength(1);

    const spare = await spareVolumeIn(db['OS-EXT-AZ:availability_zone']!);
    const attached = await session.compute.attachVolume(db.id, { volumeId: spare });
    expect(attached).toMatchObject({ serverId: db.id, volumeId: spare });
    await session.compute.detachVolume(db.id, spare);
  });
});

/** An available volume in `zone`, by name from the seed (spare-a, spare-b). */
async function spareVolumeIn(zone: string): Promise<string> {
  const body = await rawGet<{ volumes: { id: string; availability_zone: string; status: string }[] }>(
    fx.sim,
    fx.client(),
    `/volume/v2/${fx.sim.tenantId}/volumes/detail`,
  );
  return body.volumes.find((v) => v.availability_zone === zone && v.status === 'available')!.id;
}

describe('volume', () => {
  it('gets volumes one by one, in parallel, one call per distinct id', async () => {
    const { servers } = await session.compute.listServers({});
    const ids = servers.flatMap((s) => (s['os-extended-volumes:volumes_attached'] ?? []).map((v) => v.id!));
    fx.sim.controls.resetLog();
    const volumes = await session.volume.getVolumes([...ids, ids[0]!, UNKNOWN]);
    expect(volumes.size).toBe(new Set(ids).size);
    expect(count(fx.sim, 'GET volume /volumes/{id}')).toBe(new Set(ids).size + 1);
    expect(await session.volume.getVolume(UNKNOWN)).toBeNull();
  });
});

describe('network', () => {
  it('lists networks and the subnets of one network', async () => {
    const networks = await session.network.listNetworks();
    expect(networks.length).toBeGreaterThan(0);
    const subnets = await session.network.listSubnets({ networkId: networks[0]!.id });
    expect(subnets.every((s) => s.network_id === networks[0]!.id)).toBe(true);
    const external = await session.network.listNetworks({ external: true });
    expect(external.map((n) => n['router:external'])).toEqual([true]);
  });

  it('lists ports by device id in calls of at most 100 ids, made at once', async () => {
    fx.sim.controls.addServers(144);
    const { servers } = await session.compute.listServers({ limit: 1000 }, { detail: false });
    expect(servers).toHaveLength(150);
    fx.sim.controls.resetLog();
    const ports = await session.network.listPorts({ deviceIds: servers.map((s) => s.id) });
    // The six demo servers but one (a failed build) and every bulk server have one port each.
    expect(ports).toHaveLength(149);
    expect(count(fx.sim, 'GET network /v2.0/ports')).toBe(2);
    expect(await session.network.listPorts({ ids: [] })).toEqual([]);
  });

  it('creates, updates and deletes groups, rules and floating IPs; Neutron refusals carry their type', async () => {
    const group = await session.network.createSecurityGroup({ name: 'ops', description: 'operations test' });
    expect(group.security_group_rules).toHaveLength(2);
    expect((await session.network.updateSecurityGroup(group.id, { description: 'changed' })).description).toBe('changed');
    const rule = await session.network.createSecurityGroupRule({ security_group_id: group.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 });
    const duplicate = await upstreamError(session.network.createSecurityGroupRule({ security_group_id: group.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 }));
    expect(duplicate).toMatchObject({ service: 'network', status: 409, fault: 'SecurityGroupRuleExists' });
    expect(duplicate.message).toContain(rule.id);
    await session.network.deleteSecurityGroupRule(rule.id);
    await session.network.deleteSecurityGroup(group.id);
    expect((await session.network.listSecurityGroups()).map((g) => g.id)).not.toContain(group.id);

    const [external] = await session.network.listNetworks({ external: true });
    const fip = await session.network.createFloatingIp({ floating_network_id: external!.id, label: 'ops1', delete_protection: true });
    expect(fip).toMatchObject({ status: 'DOWN', label: 'ops1', delete_protection: true });
    expect(await upstreamError(session.network.deleteFloatingIp(fip.id))).toMatchObject({ status: 409, fault: 'FloatingIPDeleteProtected' });
    // The first port is web-01's, which has a floating IP already.
    const [, port] = await session.network.listPorts();
    expect((await session.network.updateFloatingIp(fip.id, { port_id: port!.id })).status).toBe('ACTIVE');
    expect((await session.network.listFloatingIps({ portIds: [port!.id] })).map((f) => f.id)).toContain(fip.id);
    await session.network.updateFloatingIp(fip.id, { port_id: null, delete_protection: false });
    await session.network.deleteFloatingIp(fip.id);
    expect(await session.network.listFloatingIps({ ids: [fip.id] })).toEqual([]);
    expect((await session.network.listSecurityGroupPorts((await session.network.listSecurityGroups()).find((g) => g.name === 'default')!.id)).length).toBe(5);
  });
});
