// Neutron security groups, rules, ports and floating IPs (nhn-api-beyond.md §4): bodies, status codes
// and NeutronError envelopes, and the compute side kept consistent (ports of servers, floating IPs in
// `addresses`, add/removeSecurityGroup on the port, a deleted server's port gone).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ buildDelayMs: 30 });
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

const net = (method: string, path: string, body?: unknown) => h.request(method, `${h.sim.url}/network${path}`, body);

async function groupNamed(name: string): Promise<any> {
  return (await h.network(`/v2.0/security-groups?name=${name}`)).body.security_groups[0];
}

function neutronError(answer: { status: number; body: any }, status: number, type: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({ NeutronError: { type, message: expect.any(String), detail: '' } });
}

describe('security groups', () => {
  it('lists the default group with egress rules only (NHN: inbound blocked)', async () => {
    const group = await groupNamed('default');
    expect(group.security_group_rules.map((r: any) => [r.direction, r.ethertype, r.protocol])).toEqual([
      ['egress', 'IPv4', null],
      ['egress', 'IPv6', null],
    ]);
    expect(group.tenant_id).toBe(h.sim.tenantId);
  });

  it('creates a group (201) with the IPv4 and IPv6 egress rules, updates it, deletes it (204)', async () => {
    const created = await net('POST', '/v2.0/security-groups', { security_group: { name: 'ssh', description: 'SSH in' } });
    expect(created.status).toBe(201);
    const group = created.body.security_group;
    expect(group).toMatchObject({ name: 'ssh', description: 'SSH in', tenant_id: h.sim.tenantId });
    expect(group.security_group_rules.map((r: any) => `${r.direction}/${r.ethertype}`)).toEqual(['egress/IPv4', 'egress/IPv6']);
    const updated = await net('PUT', `/v2.0/security-groups/${group.id}`, { security_group: { name: 'ssh-in' } });
    expect(updated.status).toBe(200);
    expect(updated.body.security_group.name).toBe('ssh-in');
    expect((await net('GET', `/v2.0/security-groups/${group.id}`)).body.security_group.name).toBe('ssh-in');
    const deleted = await net('DELETE', `/v2.0/security-groups/${group.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    neutronError(await net('GET', `/v2.0/security-groups/${group.id}`), 404, 'SecurityGroupNotFound');
  });

  it('refuses a second default group, deleting the default group, and deleting a group in use', async () => {
    neutronError(await net('POST', '/v2.0/security-groups', { security_group: { name: 'Default' } }), 409, 'SecurityGroupDefaultAlreadyExists');
    // Every demo server uses `default` through its port: in use comes first, as in Neutron.
    const defaultGroup = await groupNamed('default');
    neutronError(await net('DELETE', `/v2.0/security-groups/${defaultGroup.id}`), 409, 'SecurityGroupInUse');
    const web = await groupNamed('web');
    const inUse = await net('DELETE', `/v2.0/security-groups/${web.id}`);
    neutronError(inUse, 409, 'SecurityGroupInUse');
    expect(inUse.body.NeutronError.message).toBe(`Security Group ${web.id} in use.`);
  });

  it('refuses unknown attributes and a missing body', async () => {
    neutronError(await net('POST', '/v2.0/security-groups', { security_group: { name: 'x', colour: 'red' } }), 400, 'HTTPBadRequest');
    neutronError(await net('POST', '/v2.0/security-groups'), 400, 'HTTPBadRequest');
  });
});

describe('security group rules', () => {
  const rule = (groupId: string, extra: Record<string, unknown> = {}) =>
    net('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: groupId, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0', ...extra } });

  it('creates a rule (201), shows it in its group, refuses the same rule again (409), deletes it (204)', async () => {
    const group = await groupNamed('default');
    const created = await rule(group.id);
    expect(created.status).toBe(201);
    expect(created.body.security_group_rule).toMatchObject({ security_group_id: group.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' });
    const id = created.body.security_group_rule.id;
    expect((await groupNamed('default')).security_group_rules.map((r: any) => r.id)).toContain(id);
    const again = await rule(group.id, { port_range_min: '22', port_range_max: '22' });
    neutronError(again, 409, 'SecurityGroupRuleExists');
    expect(again.body.NeutronError.message).toBe(`Security group rule already exists. Rule id is ${id}.`);
    expect((await net('GET', `/v2.0/security-group-rules?security_group_id=${group.id}&direction=ingress`)).body.security_group_rules).toHaveLength(1);
    expect((await net('DELETE', `/v2.0/security-group-rules/${id}`)).status).toBe(204);
    neutronError(await net('GET', `/v2.0/security-group-rules/${id}`), 404, 'SecurityGroupRuleNotFound');
  });

  it("answers Neutron's refusals", async () => {
    const { id } = await groupNamed('default');
    neutronError(await rule(id, { remote_ip_prefix: '10.0.0.300/8' }), 400, 'InvalidCIDR');
    neutronError(await rule(id, { remote_ip_prefix: '::/0' }), 400, 'SecurityGroupRuleParameterConflict');
    neutronError(await rule(id, { ethertype: 'IPv6', remote_ip_prefix: '::/0' }), 400, 'SecurityGroupRuleInvalidEtherType');
    neutronError(await rule(id, { port_range_min: 30, port_range_max: 20 }), 400, 'SecurityGroupInvalidPortRange');
    neutronError(await rule(id, { port_range_min: 0 }), 400, 'SecurityGroupInvalidPortValue');
    neutronError(await rule(id, { port_range_max: 70000 }), 400, 'SecurityGroupInvalidPortValue');
    neutronError(await rule(id, { protocol: 'tcpx' }), 400, 'SecurityGroupRuleInvalidProtocol');
    neutronError(await rule(id, { protocol: null }), 400, 'SecurityGroupProtocolRequiredWithPorts');
    neutronError(await rule(id, { protocol: 'icmp', port_range_min: 300, port_range_max: null }), 400, 'SecurityGroupInvalidIcmpValue');
    neutronError(await rule(id, { remote_group_id: id }), 400, 'SecurityGroupMultipleRemoteEntites');
    neutronError(await rule(id, { direction: 'sideways' }), 400, 'HTTPBadRequest');
    neutronError(await rule('8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11'), 404, 'SecurityGroupNotFound');
  });

  it('keeps host bits out of a prefix and treats 1-65535 as any port', async () => {
    const { id } = await groupNamed('default');
    const narrowed = await rule(id, { remote_ip_prefix: '10.1.2.3/16' });
    expect(narrowed.body.security_group_rule.remote_ip_prefix).toBe('10.1.0.0/16');
    const wide = await rule(id, { port_range_min: 1, port_range_max: 65535 });
    expect(wide.body.security_group_rule).toMatchObject({ port_range_min: null, port_range_max: null });
  });
});

describe('ports', () => {
  it('each demo server has one port with the fixed IP its addresses show', async () => {
    const servers = (await h.compute('GET', '/servers/detail')).body.servers as any[];
    const ports = (await h.network('/v2.0/ports')).body.ports as any[];
    for (const server of servers) {
      const fixed = Object.values(server.addresses).flat().filter((a: any) => a['OS-EXT-IPS:type'] === 'fixed') as any[];
      const own = ports.filter((p) => p.device_id === server.id);
      expect(own.map((p) => p.fixed_ips[0].ip_address)).toEqual(fixed.map((a) => a.addr));
      expect(own.map((p) => p.mac_address)).toEqual(fixed.map((a) => a['OS-EXT-IPS-MAC:mac_addr']));
    }
    expect(ports.length).toBe(5);
    expect(ports[0]).toMatchObject({ status: 'ACTIVE', device_owner: expect.stringMatching(/^compute:kr-pub-[ab]$/), admin_state_up: true });
  });

  it('filters by device_id (repeated), network_id and fixed_ips; shows one; 404 PortNotFound', async () => {
    const web = await h.serverNamed('web-01');
    const db = await h.serverNamed('db-01');
    const both = (await h.network(`/v2.0/ports?device_id=${web.id}&device_id=${db.id}`)).body.ports;
    expect(both.map((p: any) => p.device_id).sort()).toEqual([web.id, db.id].sort());
    const address = web.addresses['Default Network'][0].addr;
    const byIp = (await h.network(`/v2.0/ports?fixed_ips=ip_address%3D${address}`)).body.ports;
    expect(byIp.map((p: any) => p.device_id)).toEqual([web.id]);
    const port = byIp[0];
    expect((await h.network(`/v2.0/ports?network_id=${port.network_id}`)).body.ports.length).toBe(5);
    expect((await h.network(`/v2.0/ports/${port.id}`)).body.port).toEqual(port);
    neutronError(await h.network('/v2.0/ports/8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11'), 404, 'PortNotFound');
  });

  it('a new server gets a port; add/removeSecurityGroup change its groups; deleting the server removes it', async () => {
    const id = await h.addServer('ACTIVE');
    const [port] = (await h.network(`/v2.0/ports?device_id=${id}`)).body.ports;
    const web = await groupNamed('web');
    const defaultGroup = await groupNamed('default');
    expect(port.security_groups).toEqual([defaultGroup.id]);
    expect((await h.action(id, { addSecurityGroup: { name: 'web' } })).status).toBe(202);
    expect((await h.network(`/v2.0/ports/${port.id}`)).body.port.security_groups).toEqual([defaultGroup.id, web.id]);
    const users = (await h.network(`/v2.0/security-group-ports?security_group_id=${web.id}`)).body.security_group_ports;
    expect(users.map((p: any) => p.id)).toContain(port.id);
    expect((await h.action(id, { removeSecurityGroup: { name: 'default' } })).status).toBe(202);
    expect((await h.network(`/v2.0/ports/${port.id}`)).body.port.security_groups).toEqual([web.id]);
    expect((await h.compute('DELETE', `/servers/${id}`)).status).toBe(204);
    for (let i = 0; i < 100 && (await h.network(`/v2.0/ports/${port.id}`)).status === 200; i++) await new Promise((r) => setTimeout(r, 10));
    neutronError(await h.network(`/v2.0/ports/${port.id}`), 404, 'PortNotFound');
  });

  it('security-group-ports needs security_group_id', async () => {
    neutronError(await h.network('/v2.0/security-group-ports'), 400, 'HTTPBadRequest');
  });
});

describe('floating IPs', () => {
  async function external(): Promise<string> {
    return (await h.network('/v2.0/networks?router:external=true')).body.networks[0].id;
  }

  it('seeds web-01 with an associated address shown in its addresses', async () => {
    const web = await h.serverNamed('web-01');
    const floating = web.addresses['Default Network'].find((a: any) => a['OS-EXT-IPS:type'] === 'floating');
    const fips = (await h.network('/v2.0/floatingips')).body.floatingips as any[];
    const own = fips.find((f) => f.floating_ip_address === floating.addr);
    expect(own).toMatchObject({ status: 'ACTIVE', fixed_ip_address: web.addresses['Default Network'][0].addr, label: 'web01', delete_protection: false });
  });

  it('creates (201, DOWN), associates by port_id (ACTIVE, in addresses), disassociates, deletes (204)', async () => {
    const serverId = await h.addServer('ACTIVE');
    const [port] = (await h.network(`/v2.0/ports?device_id=${serverId}`)).body.ports;
    const created = await net('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: await external(), label: 'app1' } });
    expect(created.status).toBe(201);
    const fip = created.body.floatingip;
    expect(fip).toMatchObject({ status: 'DOWN', port_id: null, fixed_ip_address: null, label: 'app1', delete_protection: false, tenant_id: h.sim.tenantId });
    const associated = await net('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: port.id } });
    expect(associated.body.floatingip).toMatchObject({ status: 'ACTIVE', port_id: port.id, fixed_ip_address: port.fixed_ips[0].ip_address });
    const server = await h.server(serverId);
    expect(Object.values(server.addresses).flat()).toContainEqual(expect.objectContaining({ addr: fip.floating_ip_address, 'OS-EXT-IPS:type': 'floating' }));
    expect((await h.network(`/v2.0/floatingips?port_id=${port.id}`)).body.floatingips.map((f: any) => f.id)).toEqual([fip.id]);
    neutronError(await net('DELETE', `/v2.0/floatingips/${fip.id}`), 409, 'FloatingIPInUse');
    const free = await net('PUT', `/v2.0/floatingips/${fip.id}`, { floatingip: { port_id: null } });
    expect(free.body.floatingip).toMatchObject({ status: 'DOWN', port_id: null });
    expect(Object.values((await h.server(serverId)).addresses).flat()).toHaveLength(1);
    expect((await net('DELETE', `/v2.0/floatingips/${fip.id}`)).status).toBe(204);
    neutronError(await net('GET', `/v2.0/floatingips/${fip.id}`), 404, 'FloatingIPNotFound');
  });

  it('refuses deleting a protected address until protection is off; checks the label', async () => {
    const created = await net('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: await external(), delete_protection: true } });
    const { id } = created.body.floatingip;
    neutronError(await net('DELETE', `/v2.0/floatingips/${id}`), 409, 'FloatingIPDeleteProtected');
    expect((await net('PUT', `/v2.0/floatingips/${id}`, { floatingip: { delete_protection: false, label: 'spare' } })).body.floatingip).toMatchObject({ delete_protection: false, label: 'spare' });
    expect((await net('DELETE', `/v2.0/floatingips/${id}`)).status).toBe(204);
    neutronError(await net('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: await external(), label: 'no-dashes' } }), 400, 'HTTPBadRequest');
    neutronError(await net('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: await external(), label: 'a'.repeat(65) } }), 400, 'HTTPBadRequest');
  });

  it('refuses a non-external network, a missing network and a port that already has one', async () => {
    const internal = (await h.network('/v2.0/networks?router:external=false')).body.networks[0].id;
    neutronError(await net('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: internal } }), 400, 'BadRequest');
    neutronError(await net('POST', '/v2.0/floatingips', { floatingip: {} }), 400, 'HTTPBadRequest');
    const web = await h.serverNamed('web-01');
    const [port] = (await h.network(`/v2.0/ports?device_id=${web.id}`)).body.ports;
    neutronError(await net('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: await external(), port_id: port.id } }), 409, 'FloatingIPPortAlreadyAssociated');
  });

  it("a deleted server's floating IP is left unassociated", async () => {
    const serverId = await h.addServer('ACTIVE');
    const [port] = (await h.network(`/v2.0/ports?device_id=${serverId}`)).body.ports;
    const fip = (await net('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: await external(), port_id: port.id } })).body.floatingip;
    expect(fip.status).toBe('ACTIVE');
    await h.compute('DELETE', `/servers/${serverId}`);
    for (let i = 0; i < 100 && (await h.network(`/v2.0/ports/${port.id}`)).status === 200; i++) await new Promise((r) => setTimeout(r, 10));
    expect((await net('GET', `/v2.0/floatingips/${fip.id}`)).body.floatingip).toMatchObject({ status: 'DOWN', port_id: null, fixed_ip_address: null });
  });
});
