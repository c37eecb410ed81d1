// Every query of the contract (and the network additions) through yoga.fetch against the simulator's
// demo project: web-01, db-01 (with a data volume), batch-01 (SHUTOFF), win-01, dev-u2 (u2, local
// disk) and build-failed (ERROR).

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Stack, startStack } from '../helpers/gateway.js';

let stack: Stack;
let ids: Record<string, string>;

beforeAll(async () => {
  stack = await startStack();
  const body = await stack.gql<{ servers: { edges: { node: { id: string; name: string } }[] } }>(
    '{ servers(first: 50) { edges { node { id name } } } }',
  );
  ids = Object.fromEntries(body.data!.servers.edges.map((e) => [e.node.name, e.node.id]));
});
afterAll(() => stack.close());

const SERVER_FIELDS = /* GraphQL */ `
  id name status taskState vmState powerState tenantId userId hostId keyName availabilityZone
  created updated launchedAt terminatedAt progress securityGroups
  addresses { networkName address version type macAddress }
  metadata { key value }
  fault { code message details created }
  keypair { name publicKey fingerprint userId createdAt }
  flavor { id name vcpus ram disk swap ephemeral rxtxFactor isPublic disabled extraSpecs { key value } }
  image { id name status minDisk minRam osType osDistro osVersion visibility createdAt updatedAt }
  volumeAttachments { id device serverId volumeId volume { id name size status volumeType bootable availabilityZone } server { id name } }
`;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('servers', () => {
  test('a page with every field and relation', async () => {
    const body = await stack.gql(`{ servers(first: 10) { edges { cursor node { ${SERVER_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`);
    expect(body.errors).toBeUndefined();
    const nodes = body.data.servers.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.name).sort()).toEqual(['batch-01', 'build-failed', 'db-01', 'dev-u2', 'web-01', 'win-01']);
    expect(body.data.servers.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    const web = nodes.find((n: any) => n.name === 'web-01');
    expect(web).toMatchObject({
      status: 'ACTIVE',
      vmState: 'active',
      powerState: 'RUNNING',
      tenantId: stack.sim.tenantId,
      keyName: 'demo-key',
      keypair: { name: 'demo-key' },
      flavor: { name: 'm2.c2m4', vcpus: 2, ram: 4096, disk: 0, swap: 0, isPublic: true, disabled: false },
      image: { osDistro: 'Ubuntu', status: 'active' },
      securityGroups: ['default', 'web'],
    });
    for (const stamp of [web.created, web.updated, web.launchedAt, web.image.createdAt]) expect(stamp).toMatch(ISO_UTC);
    expect(web.addresses[0]).toMatchObject({ version: 4, type: 'FIXED' });
    expect(web.volumeAttachments[0]).toMatchObject({ device: '/dev/vda', serverId: web.id, server: { id: web.id, name: 'web-01' } });

    const db = nodes.find((n: any) => n.name === 'db-01');
    expect(db.volumeAttachments.map((a: any) => [a.device, a.volume.name])).toContainEqual(['/dev/vdb', 'db-data']);
    expect(db.volumeAttachments.find((a: any) => a.device === '/dev/vdb').volume).toMatchObject({ size: 100, bootable: false, status: 'in-use' });

    expect(nodes.find((n: any) => n.name === 'batch-01')).toMatchObject({ status: 'SHUTOFF', powerState: 'SHUTDOWN' });
    expect(nodes.find((n: any) => n.name === 'build-failed')).toMatchObject({
      status: 'ERROR',
      launchedAt: null,
      fault: { code: 500, message: expect.stringContaining('No valid host') },
    });
  });

  test('pages follow the cursor (Nova marker) without repeats', async () => {
    const page = (after?: string) =>
      stack.gql('query($after: String) { servers(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }', { after });
    const first = await page();
    expect(first.data.servers.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await page(first.data.servers.pageInfo.endCursor);
    expect(second.data.servers.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const seen = [...first.data.servers.edges, ...second.data.servers.edges].map((e: any) => e.node.id);
    expect(new Set(seen).size).toBe(6);
  });

  test('filters reach the upstream', async () => {
    const names = async (filter: Record<string, unknown>) => {
      const body = await stack.gql('query($f: ServerFilter) { servers(filter: $f) { edges { node { name } } } }', { f: filter });
      expect(body.errors).toBeUndefined();
      return body.data.servers.edges.map((e: any) => e.node.name).sort();
    };
    expect(await names({ name: '^web' })).toEqual(['web-01']);
    expect(await names({ status: 'SHUTOFF' })).toEqual(['batch-01']);
    expect(await names({ changesSince: '2000-01-01T09:00:00+09:00' })).toHaveLength(6);
    const flavor = await stack.gql('query($id: ID!) { server(id: $id) { flavor { id } image { id } } }', { id: ids['db-01'] });
    expect(await names({ flavorId: flavor.data.server.flavor.id })).toEqual(['db-01']);
    expect(await names({ imageId: flavor.data.server.image.id })).toEqual(['db-01']);
  });

  test('an empty page', async () => {
    const body = await stack.gql('{ servers(filter: { name: "^nothing-matches$" }) { edges { cursor } pageInfo { hasNextPage startCursor endCursor } } }');
    expect(body.data.servers).toEqual({ edges: [], pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } });
  });
});

describe('single reads', () => {
  test('server by id, and null for an unknown one', async () => {
    const body = await stack.gql('query($a: ID!, $b: ID!) { a: server(id: $a) { name } b: server(id: $b) { name } }', {
      a: ids['win-01'],
      b: '00000000-0000-4000-8000-000000000000',
    });
    expect(body).toEqual({ data: { a: { name: 'win-01' }, b: null } });
  });

  test('a u2 server booted from its image has no root volume attachment', async () => {
    const body = await stack.gql('query($id: ID!) { server(id: $id) { flavor { name disk } image { name } volumeAttachments { id } } }', { id: ids['dev-u2'] });
    expect(body.data.server).toMatchObject({ flavor: { name: 'u2.c1m1', disk: 20 }, volumeAttachments: [] });
  });

  test('volumeAttachments honours limit and offset', async () => {
    const body = await stack.gql('query($id: ID!) { server(id: $id) { all: volumeAttachments { device } second: volumeAttachments(limit: 1, offset: 1) { device } } }', { id: ids['db-01'] });
    expect(body.data.server.all.map((a: any) => a.device)).toEqual(['/dev/vda', '/dev/vdb']);
    expect(body.data.server.second).toEqual([{ device: '/dev/vdb' }]);
  });

  test('flavors, with and without filters, and one flavor', async () => {
    const all = await stack.gql('{ flavors { id name vcpus ram disk swap ephemeral rxtxFactor isPublic disabled extraSpecs { key value } } }');
    expect(all.data.flavors.length).toBeGreaterThan(10);
    expect(all.data.flavors.find((f: any) => f.name === 'x1.c32m256')).toMatchObject({ vcpus: 32, ram: 262144, extraSpecs: [{ key: 'flavor_type', value: 'performance' }] });
    const big = await stack.gql('{ flavors(minRam: 65536) { name } }');
    expect(big.data.flavors.map((f: any) => f.name).sort()).toEqual(['g2.c8m90', 'r2.c8m64', 'x1.c32m128', 'x1.c32m256']);
    const disk = await stack.gql('{ flavors(minDisk: 50) { name } }');
    expect(disk.data.flavors.map((f: any) => f.name).sort()).toEqual(['g2.c8m90', 'u2.c2m4', 'u2.c4m8']);
    const one = await stack.gql('query($id: ID!) { flavor(id: $id) { name } missing: flavor(id: "no-such-flavor") { name } }', {
      id: all.data.flavors[0].id,
    });
    expect(one.data).toEqual({ flavor: { name: all.data.flavors[0].name }, missing: null });
  });

  test('keypairs and one keypair', async () => {
    const body = await stack.gql('{ keypairs { name publicKey fingerprint } keypair(name: "ops-key") { name userId createdAt publicKey } none: keypair(name: "nope") { name } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.keypairs.map((k: any) => k.name).sort()).toEqual(['demo-key', 'ops-key']);
    expect(body.data.keypair).toMatchObject({ name: 'ops-key', userId: expect.any(String), createdAt: expect.stringMatching(ISO_UTC) });
    expect(body.data.keypair.publicKey).toMatch(/^ssh-ed25519 /);
    expect(body.data.none).toBeNull();
  });

  test('availability zones', async () => {
    const body = await stack.gql('{ availabilityZones { name available } }');
    expect(body.data.availabilityZones).toEqual([
      { name: 'kr-pub-a', available: true },
      { name: 'kr-pub-b', available: true },
    ]);
  });

  test('image by id, and null for an unknown one', async () => {
    const server = await stack.gql('query($id: ID!) { server(id: $id) { image { id name osType } } }', { id: ids['win-01'] });
    const image = server.data.server.image;
    const body = await stack.gql('query($id: ID!) { image(id: $id) { id name osType minDisk minRam visibility } none: image(id: "00000000-0000-4000-8000-000000000000") { id } }', { id: image.id });
    expect(body.data.image).toMatchObject({ id: image.id, osType: 'windows', minDisk: 50, minRam: 2048, visibility: 'public' });
    expect(body.data.none).toBeNull();
  });

  test('volumeAttachment and volume by id', async () => {
    const server = await stack.gql('query($id: ID!) { server(id: $id) { volumeAttachments { device volumeId } } }', { id: ids['db-01'] });
    const data = server.data.server.volumeAttachments.find((a: any) => a.device === '/dev/vdb');
    const body = await stack.gql(
      'query($s: ID!, $v: ID!) { volumeAttachment(serverId: $s, volumeId: $v) { id device server { name } volume { name size } } volume(id: $v) { name volumeType } }',
      { s: ids['db-01'], v: data.volumeId },
    );
    expect(body.data).toEqual({
      volumeAttachment: { id: data.volumeId, device: '/dev/vdb', server: { name: 'db-01' }, volume: { name: 'db-data', size: 100 } },
      volume: { name: 'db-data', volumeType: 'General SSD' },
    });
    const missing = await stack.gql('query($s: ID!, $v: ID!) { volumeAttachment(serverId: $s, volumeId: $v) { id } }', { s: ids['web-01'], v: data.volumeId });
    expect(missing).toEqual({ data: { volumeAttachment: null } });
  });

  test('networks with their subnets, and subnets by network', async () => {
    const body = await stack.gql('{ networks { id name external shared status subnets { id name cidr ipVersion gatewayIp enableDhcp networkId } } }');
    expect(body.errors).toBeUndefined();
    const vpc = body.data.networks.find((n: any) => !n.external);
    expect(vpc.subnets[0]).toMatchObject({ cidr: '192.168.0.0/24', gatewayIp: '192.168.0.1', networkId: vpc.id });
    const subnets = await stack.gql('query($id: ID) { subnets(networkId: $id) { id } all: subnets { id } }', { id: vpc.id });
    expect(subnets.data.subnets).toEqual([{ id: vpc.subnets[0].id }]);
    expect(subnets.data.all.length).toBeGreaterThanOrEqual(1);
  });
});
