// Callers are isolated. Tenant A is the gateway's service account, and also calls in pass-through with
// a token of its own; tenant B calls in pass-through; one more caller forges a token for tenant B.
// Hundreds of their requests overlap (cold
// caches first, then warm ones), over every list and relation that is cached or batched, plus lookups
// of the other tenant's ids: no answer may contain anything of the other tenant, and the forged token
// gets nothing but UNAUTHENTICATED, however warm the caches of tenant B are.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { type GraphQLBody, type Stack, startStack } from '../helpers/gateway.js';

const TENANT_B = { tenantId: 'b7e4c1d09a2f4e6b8c3d5a7f9e1b2c4d', username: 'tenant-b@example.com', apiPassword: 'tenant-b-api-password' };
const ROUNDS = 400;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  stack.sim.controls.addAccount(TENANT_B);
  stack.sim.controls.addServers(4, { tenantId: TENANT_B.tenantId });
});
afterAll(() => stack.close());

interface Facts {
  serverIds: string[];
  publicKeys: string[];
  privateImageIds: string[];
  networkIds: string[];
}

const SERVERS = '{ servers(first: 100) { edges { node { id name tenantId keypair { name publicKey } image { id name } flavor { name } } } } }';
const KEYPAIRS = '{ keypairs { name publicKey fingerprint } }';
const NETWORKS = '{ networks { id name subnets { id cidr } } }';
const LOOKUP = 'query($server: ID!, $image: ID!) { server(id: $server) { id name } image(id: $image) { id name } }';

async function issueToken(account: { tenantId: string; username: string; password: string }): Promise<string> {
  const body = await stack.gql('mutation($i: IssueTokenInput!) { issueToken(input: $i) { id } }', { i: account });
  return body.data.issueToken.id;
}

/** What only this tenant has, read straight from the simulator with its own token. */
async function factsOf(tenantId: string, token: string): Promise<Facts> {
  const get = async (path: string) => (await fetch(`${stack.sim.url}${path}`, { headers: { 'x-auth-token': token } })).json() as Promise<any>;
  const servers = await get(`/compute/v2/${tenantId}/servers`);
  const keypairs = await get(`/compute/v2/${tenantId}/os-keypairs`);
  const images = await get('/image/v2/images?visibility=private');
  const networks = await get('/network/v2.0/networks');
  return {
    serverIds: servers.servers.map((s: any) => s.id),
    publicKeys: keypairs.keypairs.map((k: any) => k.keypair.public_key),
    privateImageIds: images.images.map((i: any) => i.id),
    networkIds: networks.networks.filter((n: any) => !n['router:external']).map((n: any) => n.id),
  };
}

function valuesOf(facts: Facts, tenantId: string): string[] {
  return [tenantId, ...facts.serverIds, ...facts.publicKeys, ...facts.privateImageIds, ...facts.networkIds];
}

test(`${ROUNDS} overlapping requests of two tenants, in both modes, and a forged token: no answer holds another's data`, async () => {
  const { sim } = stack;
  const tokenA = await issueToken({ tenantId: sim.tenantId, username: sim.username, password: sim.apiPassword });
  const tokenB = await issueToken({ tenantId: TENANT_B.tenantId, username: TENANT_B.username, password: TENANT_B.apiPassword });
  const [a, b] = [await factsOf(sim.tenantId, tokenA), await factsOf(TENANT_B.tenantId, tokenB)];
  // The tenants really differ, in every kind of fact checked below.
  for (const key of Object.keys(a) as (keyof Facts)[]) {
    expect(a[key].length).toBeGreaterThan(0);
    expect(b[key].length).toBeGreaterThan(0);
    expect(a[key].filter((value) => b[key].includes(value))).toEqual([]);
  }

  const callers = {
    a: {},
    aPassThrough: { 'X-Auth-Token': tokenA, 'X-Tenant-Id': sim.tenantId },
    b: { 'X-Auth-Token': tokenB, 'X-Tenant-Id': TENANT_B.tenantId },
    forged: { 'X-Auth-Token': 'f'.repeat(32), 'X-Tenant-Id': TENANT_B.tenantId },
  };
  const queries = [
    { query: SERVERS },
    { query: KEYPAIRS },
    { query: NETWORKS },
    { query: LOOKUP, cross: true },
  ];
  const kinds = ['a', 'aPassThrough', 'b', 'forged'] as const;
  type Kind = (typeof kinds)[number];
  const run = (round: number) => {
    const kind = kinds[round % kinds.length]!;
    const { query, cross } = queries[Math.floor(round / kinds.length) % queries.length]!;
    // The lookup asks for the other tenant's server and private image.
    const other = kind === 'b' ? a : b;
    const variables = cross ? { server: other.serverIds[round % other.serverIds.length], image: other.privateImageIds[0] } : undefined;
    return stack.gql(query, variables, callers[kind]).then((body) => ({ kind, query, body }));
  };
  // Half at once against cold caches, then the other half against the caches they filled.
  const answers: { kind: Kind; query: string; body: GraphQLBody }[] = [];
  for (const half of [0, 1]) {
    answers.push(...(await Promise.all(Array.from({ length: ROUNDS / 2 }, (_, i) => run(half * (ROUNDS / 2) + i)))));
  }

  const [ofA, ofB] = [valuesOf(a, sim.tenantId), valuesOf(b, TENANT_B.tenantId)];
  const foreign: Record<Kind, string[]> = { a: ofB, aPassThrough: ofB, b: ofA, forged: [...ofA, ...ofB] };
  const served: Record<Kind, number> = { a: 0, aPassThrough: 0, b: 0, forged: 0 };
  for (const { kind, query, body } of answers) {
    const text = JSON.stringify(body);
    const leaked = foreign[kind].filter((value) => text.includes(value));
    expect(leaked, `${kind} got another tenant's data for ${query}`).toEqual([]);
    if (kind === 'forged') {
      expect(Object.values(body.data ?? {}).every((value) => value === null)).toBe(true);
      expect(new Set(body.errors?.map((error) => error.extensions?.code))).toEqual(new Set(['UNAUTHENTICATED']));
    } else if (query === LOOKUP) {
      expect(body).toEqual({ data: { server: null, image: null } });
    } else {
      expect(body.errors, text.slice(0, 300)).toBeUndefined();
      served[kind]++;
    }
  }
  expect(answers).toHaveLength(ROUNDS);
  for (const kind of ['a', 'aPassThrough', 'b'] as const) expect(served[kind]).toBeGreaterThan(ROUNDS / 8);
});

test('a wrong token of a tenant gets 401 even right after a valid token of that tenant warmed every cache', async () => {
  const tokenB = await issueToken({ tenantId: TENANT_B.tenantId, username: TENANT_B.username, password: TENANT_B.apiPassword });
  const valid = { 'X-Auth-Token': tokenB, 'X-Tenant-Id': TENANT_B.tenantId };
  for (const query of [SERVERS, KEYPAIRS, '{ flavors { id } }']) expect((await stack.gql(query, undefined, valid)).errors).toBeUndefined();
  const revokedLater = await issueToken({ tenantId: TENANT_B.tenantId, username: TENANT_B.username, password: TENANT_B.apiPassword });
  for (const token of ['0'.repeat(32), `${tokenB.slice(0, -1)}x`, revokedLater]) {
    if (token === revokedLater) stack.sim.controls.revokeTokens();
    for (const query of [KEYPAIRS, '{ flavors { id } }', SERVERS]) {
      const body = await stack.gql(query, undefined, { 'X-Auth-Token': token, 'X-Tenant-Id': TENANT_B.tenantId });
      expect(body.data ?? null, `${query} with another token`).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  }
});

test("another project's security groups, ports and floating IPs: never listed, looked up or changed", async () => {
  const { sim } = stack;
  const tokenB = await issueToken({ tenantId: TENANT_B.tenantId, username: TENANT_B.username, password: TENANT_B.apiPassword });
  const asB = { 'X-Auth-Token': tokenB, 'X-Tenant-Id': TENANT_B.tenantId };
  const NETWORK = `{
    securityGroups { id name tenantId rules { id remoteGroup { id } } ports { id } }
    ports { id serverId securityGroups { id } floatingIp { id } }
    floatingIps { id address portId server { id } }
    servers(first: 100) { edges { node { id ports { id } floatingIps { id address } } } }
  }`;
  // Both tenants at once, cold then warm, so any cache or batch shared across requests would show.
  const rounds = await Promise.all(Array.from({ length: 40 }, (_, i) => stack.gql(NETWORK, undefined, i % 2 === 0 ? {} : asB)));
  for (const body of rounds) expect(body.errors).toBeUndefined();
  const [a, b] = [rounds[0]!.data, rounds[1]!.data];
  const idsOf = (data: any): string[] => [
    ...data.securityGroups.map((g: any) => g.id),
    ...data.ports.map((p: any) => p.id),
    ...data.floatingIps.flatMap((f: any) => [f.id, f.address]),
  ];
  const [ofA, ofB] = [idsOf(a), idsOf(b)];
  expect(ofA.length).toBeGreaterThan(5);
  expect(ofB.length).toBeGreaterThan(5);
  expect(ofA.filter((id) => ofB.includes(id))).toEqual([]);
  for (const [index, body] of rounds.entries()) {
    const text = JSON.stringify(body);
    const foreign = index % 2 === 0 ? ofB : ofA;
    expect(foreign.filter((value) => text.includes(value))).toEqual([]);
  }
  expect(b.securityGroups.every((g: any) => g.tenantId === TENANT_B.tenantId)).toBe(true);

  // Tenant A (the service account) asks for B's records by id, and tries to change them.
  const groupB = b.securityGroups.find((g: any) => g.name === 'web').id;
  const fipB = b.floatingIps[0].id;
  const portB = b.ports[0].id;
  const lookups = await stack.gql(
    'query($g: ID!, $p: ID!, $f: ID!) { securityGroup(id: $g) { id } port(id: $p) { id } floatingIp(id: $f) { id } }',
    { g: groupB, p: portB, f: fipB },
  );
  expect(lookups).toEqual({ data: { securityGroup: null, port: null, floatingIp: null } });
  const entities = await stack.gql('query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', {
    r: [{ __typename: 'SecurityGroup', id: groupB }, { __typename: 'Port', id: portB }, { __typename: 'FloatingIp', id: fipB }],
  });
  expect(entities).toEqual({ data: { _entities: [null, null, null] } });
  for (const [mutation, variables] of [
    ['mutation($id: ID!) { deleteSecurityGroup(id: $id) }', { id: groupB }],
    ['mutation($id: ID!) { updateFloatingIp(id: $id, label: "mine") { id } }', { id: fipB }],
    ['mutation($id: ID!) { deleteFloatingIp(id: $id) }', { id: fipB }],
    ['mutation($id: ID!, $p: ID!) { associateFloatingIp(id: $id, portId: $p) { id } }', { id: fipB, p: portB }],
  ] as const) {
    const body = await stack.gql(mutation, variables);
    expect(body.errors?.[0]?.extensions?.code, mutation).toBe('NOT_FOUND');
  }
  // A's own floating IP cannot be pointed at B's server or port either.
  const fipA = a.floatingIps.find((f: any) => f.portId === null).id;
  const serverB = b.servers.edges[0].node.id;
  const toServer = await stack.gql('mutation($id: ID!, $s: ID!) { associateFloatingIp(id: $id, serverId: $s) { id } }', { id: fipA, s: serverB });
  expect(toServer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'serverId' });
  const toPort = await stack.gql('mutation($id: ID!, $p: ID!) { associateFloatingIp(id: $id, portId: $p) { id } }', { id: fipA, p: portB });
  expect(toPort.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  // And B's records are as they were.
  const after = await stack.gql(NETWORK, undefined, asB);
  expect(after.data.securityGroups).toEqual(b.securityGroups);
  expect(after.data.floatingIps).toEqual(b.floatingIps);
});
