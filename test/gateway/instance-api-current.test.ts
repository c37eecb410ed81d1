// The operations of NHN's current Instance API guide through the gateway, over HTTP against the
// simulator: shelve / unshelve (NHN's terminate / start terminated instance), server metadata,
// placement policies (Nova server groups) with their members read in one batch, the NHN server
// attributes, `placementPolicyId` at create, and every form of a `networks` entry with the exact
// upstream body it produces (the simulator's request log keeps the body).

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type GraphQLBody, type Stack, startStack, waitForStatus, withStack } from '../helpers/gateway.js';

let stack: Stack;
let ids: Record<string, string>;
let choices: { networkId: string; subnetId: string; imageId: string; flavorId: string; gpuFlavorId: string };

async function readIds(): Promise<void> {
  const body = await stack.gql('{ servers(first: 50) { edges { node { id name } } } }');
  ids = Object.fromEntries(body.data.servers.edges.map((e: any) => [e.node.name, e.node.id]));
}

beforeAll(async () => {
  // Long enough that a loaded machine still sees the transitional states the mutations return.
  stack = await startStack({ buildDelayMs: 150 });
  const body = await stack.gql(
    '{ servers(first: 50) { edges { node { name image { id } } } } flavors { id name } networks { id external subnets { id } } }',
  );
  const network = body.data.networks.find((n: any) => !n.external);
  const flavor = (name: string) => body.data.flavors.find((f: any) => f.name === name).id;
  choices = {
    networkId: network.id,
    subnetId: network.subnets[0].id,
    imageId: body.data.servers.edges.find((e: any) => e.node.name === 'web-01').node.image.id,
    flavorId: flavor('m2.c2m4'),
    gpuFlavorId: flavor('g2.c8m90'),
  };
});
afterAll(() => stack.close());
beforeEach(async () => {
  stack.sim.controls.reset();
  await readIds();
  stack.sim.controls.resetLog();
});

const SERVER = 'id name status taskState vmState powerState hostId';

function expectCode(body: GraphQLBody, code: string, field?: string): void {
  expect(body.errors, JSON.stringify(body)).toHaveLength(1);
  expect(body.errors![0]!.extensions?.code).toBe(code);
  if (field !== undefined) expect(body.errors![0]!.extensions?.field).toBe(field);
}

/** The bodies of the upstream calls of `route` since the last resetLog(). */
function sentBodies(route: string): unknown[] {
  return stack.sim.controls.requestLog().filter((e) => e.route === route).map((e) => e.body);
}

describe('shelveServer / unshelveServer', () => {
  test('the round trip ACTIVE -> SHELVED_OFFLOADED -> ACTIVE; each mutation returns the server as it stands', async () => {
    const id = ids['web-01']!;
    const parked = await stack.gql(`mutation($id: ID!) { shelveServer(id: $id) { ${SERVER} } }`, { id });
    expect(parked.errors).toBeUndefined();
    expect(parked.data.shelveServer).toMatchObject({ id, status: 'ACTIVE', taskState: 'shelving' });
    expect(stack.calls()).toEqual({ 'POST compute /servers/{id}/action': 1, 'GET compute /servers/{id}': 1 });
    expect(sentBodies('POST compute /servers/{id}/action')).toEqual([{ shelve: null }]);

    await waitForStatus(stack, id, 'SHELVED_OFFLOADED');
    const shelved = await stack.gql(`query($id: ID!) { server(id: $id) { ${SERVER} } }`, { id });
    expect(shelved.data.server).toMatchObject({ vmState: 'shelved_offloaded', taskState: null, powerState: 'SHUTDOWN', hostId: null });

    stack.sim.controls.resetLog();
    const restarted = await stack.gql(`mutation($id: ID!) { unshelveServer(id: $id) { ${SERVER} } }`, { id });
    expect(restarted.errors).toBeUndefined();
    expect(restarted.data.unshelveServer).toMatchObject({ status: 'SHELVED_OFFLOADED', taskState: 'unshelving' });
    expect(sentBodies('POST compute /servers/{id}/action')).toEqual([{ unshelve: null }]);
    await waitForStatus(stack, id, 'ACTIVE');
    const active = await stack.gql(`query($id: ID!) { server(id: $id) { ${SERVER} } }`, { id });
    expect(active.data.server).toMatchObject({ powerState: 'RUNNING', hostId: expect.stringMatching(/^[0-9a-f]{56}$/) });
  });

  test('refusals: not ACTIVE, a GPU flavor, unshelve of a running server (CONFLICT); a bad id before any call', async () => {
    const shelve = `mutation($id: ID!) { shelveServer(id: $id) { id } }`;
    expectCode(await stack.gql(shelve, { id: ids['batch-01'] }), 'CONFLICT');
    expectCode(await stack.gql(`mutation($id: ID!) { unshelveServer(id: $id) { id } }`, { id: ids['web-01'] }), 'CONFLICT');
    stack.sim.controls.addServers(1, { status: 'ACTIVE', flavor: 'g2.c8m90' });
    const gpu = (await stack.gql('{ servers(first: 1) { edges { node { id } } } }')).data.servers.edges[0].node.id;
    const refused = await stack.gql(shelve, { id: gpu });
    expectCode(refused, 'CONFLICT');
    expect(refused.errors![0]!.message).toMatch(/GPU instances cannot be terminated/);
    stack.sim.controls.resetLog();
    expectCode(await stack.gql(shelve, { id: 'web-01' }), 'BAD_USER_INPUT', 'id');
    expect(stack.calls()).toEqual({});
  });
});

describe('server metadata', () => {
  test('metadataValue, deletionProtected and ephemeralDiskSize come from the page itself: no call per server', async () => {
    const body = await stack.gql(
      '{ servers(first: 20) { edges { node { name os: metadataValue(key: "os_type") user: metadataValue(key: "login_username") none: metadataValue(key: "nope") deletionProtected ephemeralDiskSize } } } }',
    );
    expect(body.errors).toBeUndefined();
    const web = body.data.servers.edges.find((e: any) => e.node.name === 'web-01').node;
    expect(web).toEqual({ name: 'web-01', os: 'linux', user: 'ubuntu', none: null, deletionProtected: false, ephemeralDiskSize: 0 });
    expect(stack.calls()).toEqual({ 'GET compute /servers/detail': 1 });
  });

  test('set then delete in one request: each returns the server with its new metadata, and later reads see it', async () => {
    const id = ids['web-01']!;
    const body = await stack.gql(
      `mutation($id: ID!) {
        set: setServerMetadata(serverId: $id, key: "team", value: "web") { team: metadataValue(key: "team") metadata { key value } }
        again: setServerMetadata(serverId: $id, key: "owner", value: "kim") { team: metadataValue(key: "team") owner: metadataValue(key: "owner") }
        removed: deleteServerMetadata(serverId: $id, key: "team") { team: metadataValue(key: "team") owner: metadataValue(key: "owner") }
      }`,
      { id },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.set.team).toBe('web');
    expect(body.data.set.metadata).toContainEqual({ key: 'team', value: 'web' });
    expect(body.data.again).toEqual({ team: 'web', owner: 'kim' });
    expect(body.data.removed).toEqual({ team: null, owner: 'kim' });
    expect(stack.calls()).toEqual({
      'PUT compute /servers/{id}/metadata/{id}': 2,
      'DELETE compute /servers/{id}/metadata/{id}': 1,
      'GET compute /servers/{id}': 3,
    });
    expect(sentBodies('PUT compute /servers/{id}/metadata/{id}')).toEqual([{ meta: { team: 'web' } }, { meta: { owner: 'kim' } }]);
  });

  test("Nova's key and value rules are checked before any call", async () => {
    const set = 'mutation($id: ID!, $key: String!, $value: String!) { setServerMetadata(serverId: $id, key: $key, value: $value) { id } }';
    const id = ids['web-01'];
    expectCode(await stack.gql(set, { id, key: 'a/b', value: 'x' }), 'BAD_USER_INPUT', 'key');
    expectCode(await stack.gql(set, { id, key: 'k'.repeat(256), value: 'x' }), 'BAD_USER_INPUT', 'key');
    expectCode(await stack.gql(set, { id, key: '', value: 'x' }), 'BAD_USER_INPUT', 'key');
    expectCode(await stack.gql(set, { id, key: 'ok', value: 'v'.repeat(256) }), 'BAD_USER_INPUT', 'value');
    expectCode(await stack.gql(set, { id: 'web-01', key: 'ok', value: 'x' }), 'BAD_USER_INPUT', 'serverId');
    expect(stack.calls()).toEqual({});
    // A field argument is checked when the field resolves, so after the page it belongs to was read.
    const onPage = await stack.gql('{ servers(first: 2) { edges { node { metadataValue(key: "a/b") } } } }');
    expect(onPage.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'key'], ['BAD_USER_INPUT', 'key']]);
    expect(stack.calls()).toEqual({ 'GET compute /servers/detail': 1 });
  });

  test('upstream refusals: a missing key (NOT_FOUND), a running task (CONFLICT), the 128-item quota (QUOTA_EXCEEDED)', async () => {
    const id = ids['db-01']!;
    const remove = 'mutation($id: ID!, $key: String!) { deleteServerMetadata(serverId: $id, key: $key) { id } }';
    const set = 'mutation($id: ID!, $key: String!) { setServerMetadata(serverId: $id, key: $key, value: "v") { id } }';
    expectCode(await stack.gql(remove, { id, key: 'nope' }), 'NOT_FOUND');
    expectCode(await stack.gql(set, { id: 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec', key: 'a' }), 'NOT_FOUND');
    const present = (await stack.gql('query($id: ID!) { server(id: $id) { metadata { key } } }', { id })).data.server.metadata.length;
    for (let i = present; i < 128; i++) expect((await stack.gql(set, { id, key: `k${i}` })).errors).toBeUndefined();
    const over = await stack.gql(set, { id, key: 'one-more' });
    expectCode(over, 'QUOTA_EXCEEDED');
    expect(over.errors![0]!.message).toBe('Maximum number of metadata items exceeds 128');
    await withStack({ buildDelayMs: 5_000 }, async (slow) => {
      const web = (await slow.gql('{ servers(filter: { name: "^web-01$" }) { edges { node { id } } } }')).data.servers.edges[0].node.id;
      expect((await slow.gql('mutation($id: ID!) { stopServer(id: $id) { taskState } }', { id: web })).data.stopServer.taskState).toBe('powering-off');
      expectCode(await slow.gql(set, { id: web, key: 'k1' }), 'CONFLICT');
    });
  });
});

const POLICY = 'id name rule memberIds';

async function createPolicy(name: string): Promise<string> {
  const body = await stack.gql(`mutation($name: String!) { createPlacementPolicy(name: $name) { ${POLICY} } }`, { name });
  expect(body.errors).toBeUndefined();
  return body.data.createPlacementPolicy.id;
}

const CREATE = 'mutation($input: CreateServerInput!) { createServer(input: $input) { server { id status } } }';

function createInput(overrides: Record<string, unknown> = {}) {
  return {
    name: 'member',
    imageId: choices.imageId,
    flavorId: choices.flavorId,
    networks: [{ networkId: choices.networkId }],
    keyName: 'demo-key',
    blockDevices: [{ sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: choices.imageId, bootIndex: 0, volumeSize: 20, deleteOnTermination: true }],
    ...overrides,
  };
}

async function createMember(policyId: string, name: string): Promise<string> {
  const body = await stack.gql(CREATE, { input: createInput({ name, placementPolicyId: policyId }) });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data.createServer.server.id;
}

describe('placement policies', () => {
  test('create (ANTI_AFFINITY by default), list, one by id, delete; the upstream bodies are NHN\'s', async () => {
    const created = await stack.gql(`mutation { createPlacementPolicy(name: "spread") { ${POLICY} members { id } } }`);
    expect(created.errors).toBeUndefined();
    expect(created.data.createPlacementPolicy).toMatchObject({ name: 'spread', rule: 'ANTI_AFFINITY', memberIds: [], members: [] });
    expect(sentBodies('POST compute /os-server-groups')).toEqual([{ server_group: { name: 'spread', policies: ['anti-affinity'] } }]);
    const id = created.data.createPlacementPolicy.id;
    const explicit = await stack.gql(`mutation { createPlacementPolicy(name: "spread-2", rule: ANTI_AFFINITY) { rule } }`);
    expect(explicit.data.createPlacementPolicy.rule).toBe('ANTI_AFFINITY');

    const listed = await stack.gql(`{ placementPolicies { ${POLICY} } }`);
    expect(listed.data.placementPolicies.map((p: any) => p.name)).toEqual(['spread', 'spread-2']);
    stack.sim.controls.resetLog();
    const one = await stack.gql(`query($id: ID!) { placementPolicy(id: $id) { ${POLICY} } }`, { id });
    expect(one.data.placementPolicy).toMatchObject({ id, name: 'spread' });
    expect(stack.calls()).toEqual({ 'GET compute /os-server-groups/{id}': 1 });
    const missing = await stack.gql('{ placementPolicy(id: "aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec") { id } }');
    expect(missing).toEqual({ data: { placementPolicy: null } });

    const deleted = await stack.gql('mutation($id: ID!) { deletePlacementPolicy(id: $id) }', { id });
    expect(deleted).toEqual({ data: { deletePlacementPolicy: id } });
    expectCode(await stack.gql('mutation($id: ID!) { deletePlacementPolicy(id: $id) }', { id }), 'NOT_FOUND');
  });

  test("other rules and UNKNOWN are refused naming NHN's rule, bad names and ids too, all before any call; past 10: QUOTA_EXCEEDED", async () => {
    for (const rule of ['AFFINITY', 'SOFT_ANTI_AFFINITY', 'SOFT_AFFINITY', 'UNKNOWN']) {
      const body = await stack.gql(`mutation { createPlacementPolicy(name: "x", rule: ${rule}) { id } }`);
      expectCode(body, 'BAD_USER_INPUT', 'rule');
      expect(body.errors![0]!.message).toMatch(/NHN offers only the ANTI_AFFINITY rule/);
    }
    expectCode(await stack.gql('mutation { createPlacementPolicy(name: " x") { id } }'), 'BAD_USER_INPUT', 'name');
    expectCode(await stack.gql(`mutation { createPlacementPolicy(name: "${'n'.repeat(256)}") { id } }`), 'BAD_USER_INPUT', 'name');
    expectCode(await stack.gql('mutation { deletePlacementPolicy(id: "spread") }'), 'BAD_USER_INPUT', 'id');
    expectCode(await stack.gql('{ placementPolicy(id: "spread") { id } }'), 'BAD_USER_INPUT', 'id');
    expectCode(await stack.gql(`mutation { createServer(input: { name: "x", flavorId: "f", imageId: "${choices.imageId}", keyName: "demo-key", networks: [{ networkId: "${choices.networkId}" }], placementPolicyId: "spread" }) { reservationId } }`), 'BAD_USER_INPUT', 'input.placementPolicyId');
    expect(stack.calls()).toEqual({});
    for (let i = 0; i < 10; i++) await createPolicy(`p${i}`);
    expectCode(await stack.gql('mutation { createPlacementPolicy(name: "p10") { id } }'), 'QUOTA_EXCEEDED');
  });

  test('placementPolicyId travels as the top-level os:scheduler_hints.group, beside server; the server joins the policy', async () => {
    const policy = await createPolicy('web');
    stack.sim.controls.resetLog();
    const member = await createMember(policy, 'web-a');
    const [sent] = sentBodies('POST compute /servers') as any[];
    expect(sent['os:scheduler_hints']).toEqual({ group: policy });
    expect(sent.server).not.toHaveProperty('os:scheduler_hints');
    expect(Object.keys(sent).sort()).toEqual(['os:scheduler_hints', 'server']);
    const body = await stack.gql(`query($id: ID!) { placementPolicy(id: $id) { memberIds members { id name } } }`, { id: policy });
    expect(body.data.placementPolicy).toEqual({ memberIds: [member], members: [{ id: member, name: 'web-a' }] });
    // Without the field, no hint at all.
    stack.sim.controls.resetLog();
    await stack.gql(CREATE, { input: createInput({ name: 'plain' }) });
    expect(sentBodies('POST compute /servers')[0]).not.toHaveProperty('os:scheduler_hints');
  });

  test('members of several policies in one batch: one server list for all of them; few members: a GET each', async () => {
    const policies = [await createPolicy('a'), await createPolicy('b'), await createPolicy('c')];
    const members = {
      a: [await createMember(policies[0]!, 'a-1'), await createMember(policies[0]!, 'a-2')],
      b: [await createMember(policies[1]!, 'b-1')],
      c: [await createMember(policies[2]!, 'c-1')],
    };
    stack.sim.controls.resetLog();
    const body = await stack.gql('{ placementPolicies { name members { id name status } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.placementPolicies.map((p: any) => [p.name, p.members.map((m: any) => m.id)])).toEqual([
      ['a', members.a],
      ['b', members.b],
      ['c', members.c],
    ]);
    expect(stack.calls()).toEqual({ 'GET compute /os-server-groups': 1, 'GET compute /servers/detail': 1 });

    // Two policies with one member each: two GETs, still one batch.
    stack.sim.controls.resetLog();
    const two = await stack.gql(
      'query($b: ID!, $c: ID!) { b: placementPolicy(id: $b) { members { name } } c: placementPolicy(id: $c) { members { name } } }',
      { b: policies[1], c: policies[2] },
    );
    expect(two.data).toEqual({ b: { members: [{ name: 'b-1' }] }, c: { members: [{ name: 'c-1' }] } });
    expect(stack.calls()).toEqual({ 'GET compute /os-server-groups': 1, 'GET compute /servers/{id}': 2 });

    // A member deleted between the group read and the list is left out, without a GET of its own.
    await stack.gql('mutation($id: ID!) { deleteServer(id: $id) }', { id: members.a[0] });
    stack.sim.controls.resetLog();
    const after = await stack.gql('{ placementPolicies { name memberIds members { id } } }');
    expect(after.data.placementPolicies[0]).toEqual({ name: 'a', memberIds: [members.a[1]], members: [{ id: members.a[1] }] });
    expect(stack.calls()).toEqual({ 'GET compute /os-server-groups': 1, 'GET compute /servers/{id}': 3 });
  });

  test('a create that cannot be spread ends in ERROR with its fault; deleting a policy with members leaves them', async () => {
    for (const name of ['dev-u2', 'build-failed', 'win-01']) await stack.gql('mutation($id: ID!) { deleteServer(id: $id) }', { id: ids[name] });
    const policy = await createPolicy('tight');
    const zone = { availabilityZone: 'kr-pub-a' };
    for (let i = 0; i < 4; i++) {
      expect((await stack.gql(CREATE, { input: createInput({ name: `t${i}`, placementPolicyId: policy, ...zone }) })).errors).toBeUndefined();
    }
    const fifth = await stack.gql(CREATE, { input: createInput({ name: 't4', placementPolicyId: policy, ...zone }) });
    const id = fifth.data.createServer.server.id;
    await waitForStatus(stack, id, 'ERROR');
    const failed = await stack.gql('query($id: ID!) { server(id: $id) { status fault { code message } } }', { id });
    expect(failed.data.server.fault).toEqual({ code: 500, message: 'No valid host was found. There are not enough hosts available.' });
    expect((await stack.gql('mutation($id: ID!) { deletePlacementPolicy(id: $id) }', { id: policy })).errors).toBeUndefined();
    expect((await stack.gql('query($id: ID!) { server(id: $id) { id } }', { id })).data.server).toEqual({ id });
  });
});

describe('createServer networks: every form NHN allows, and the upstream body each produces', () => {
  const cases: [string, () => Record<string, unknown>, () => Record<string, unknown>][] = [
    ['a network', () => ({ networkId: choices.networkId }), () => ({ uuid: choices.networkId })],
    ['a subnet', () => ({ subnetId: choices.subnetId }), () => ({ subnet: choices.subnetId })],
    ['a fixed IP alone', () => ({ fixedIp: '192.168.0.201' }), () => ({ fixed_ip: '192.168.0.201' })],
    ['a network and a fixed IP', () => ({ networkId: choices.networkId, fixedIp: '192.168.0.202' }), () => ({ uuid: choices.networkId, fixed_ip: '192.168.0.202' })],
    ['a subnet and a fixed IP', () => ({ subnetId: choices.subnetId, fixedIp: '192.168.0.203' }), () => ({ subnet: choices.subnetId, fixed_ip: '192.168.0.203' })],
  ];

  test.each(cases)('%s', async (_, entry, upstream) => {
    const body = await stack.gql(`mutation($input: CreateServerInput!) { createServer(input: $input) { server { id addresses { address } } } }`, {
      input: createInput({ networks: [entry()] }),
    });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const sent = sentBodies('POST compute /servers') as any[];
    expect(sent).toHaveLength(1);
    expect(sent[0].server.networks).toEqual([upstream()]);
    const fixed = entry().fixedIp;
    if (fixed) expect(body.data.createServer.server.addresses).toEqual([{ address: fixed }]);
  });

  test('a port alone is sent as {port}; the simulator knows no free port, so Nova\'s 400 comes back as BAD_USER_INPUT', async () => {
    const port = 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec';
    const body = await stack.gql(CREATE, { input: createInput({ networks: [{ portId: port }] }) });
    expectCode(body, 'BAD_USER_INPUT');
    expect(body.errors![0]!.message).toBe(`Port ${port} could not be found.`);
    expect((sentBodies('POST compute /servers')[0] as any).server.networks).toEqual([{ port }]);
  });

  test('several NICs in order; a boot-from-volume create needs no imageId', async () => {
    const input = createInput({ networks: [{ subnetId: choices.subnetId }, { fixedIp: '192.168.0.210' }] });
    delete (input as Record<string, unknown>).imageId;
    const body = await stack.gql(CREATE, { input });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const [sent] = sentBodies('POST compute /servers') as any[];
    expect(sent.server.networks).toEqual([{ subnet: choices.subnetId }, { fixed_ip: '192.168.0.210' }]);
    expect(sent.server.imageRef).toBe('');
  });

  test.each([
    ['an empty entry', {}, 'input.networks.0'],
    ['a network and a subnet', () => ({ networkId: choices.networkId, subnetId: choices.subnetId }), 'input.networks.0'],
    ['a port and a fixed IP', { portId: 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec', fixedIp: '192.168.0.9' }, 'input.networks.0.fixedIp'],
    ['a network id that is not a UUID', { networkId: 'vpc-1' }, 'input.networks.0.networkId'],
    ['a fixed IP that is not an address', { fixedIp: '192.168.0' }, 'input.networks.0.fixedIp'],
  ])('refuses %s before any call', async (_, entry, field) => {
    const body = await stack.gql(CREATE, { input: createInput({ networks: [typeof entry === 'function' ? entry() : entry] }) });
    expectCode(body, 'BAD_USER_INPUT', field);
    expect(stack.calls()).toEqual({});
  });
});
