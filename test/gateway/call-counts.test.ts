// Upstream calls per GraphQL request, exactly (token issuance aside): what the per-request loaders
// batch and what the upstream client's caches save.

import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { type Stack, startStack, TOKEN_ROUTE } from '../helpers/gateway.js';

let stack: Stack;

const Q1 = '{ servers(first: 100) { edges { node { flavor { name vcpus ram } image { name } keypair { name } } } } }';

beforeAll(async () => {
  stack = await startStack({ env: { REQUEST_DEADLINE_MS: '2000' } });
  // 94 bulk servers and the 6 demo ones: a 100-server page over 5 images, 5 flavors and 2 keypairs.
  stack.sim.controls.addServers(94);
});
afterAll(() => stack.close());
beforeEach(() => stack.sim.controls.resetLog());

test('a 100-server page with flavor, image and keypair: 4 calls cold, 1 warm', async () => {
  const cold = await stack.gql(Q1);
  expect(cold.errors).toBeUndefined();
  const nodes = cold.data.servers.edges.map((e: any) => e.node);
  expect(nodes).toHaveLength(100);
  expect(new Set(nodes.map((n: any) => n.image.name)).size).toBeGreaterThan(3);
  expect(new Set(nodes.map((n: any) => n.flavor.name)).size).toBeGreaterThan(3);
  expect(stack.calls()).toEqual({
    'GET compute /servers/detail': 1,
    'GET compute /flavors/detail': 1,
    'GET image /v2/images': 1,
    'GET compute /os-keypairs': 1,
  });
  expect(stack.sim.controls.requestLog().find((e) => e.route === 'GET image /v2/images')?.path).toMatch(/[?&]id=in(:|%3A)/);

  stack.sim.controls.resetLog();
  const warm = await stack.gql(Q1);
  expect(warm.data).toEqual(cold.data);
  expect(stack.calls()).toEqual({ 'GET compute /servers/detail': 1 });
});

test('the flavor catalogue is requested alongside the list, not after it', async () => {
  // Deterministic form of "in parallel": while the list hangs, the catalogue has been asked for.
  const fresh = await startStack({ env: { REQUEST_DEADLINE_MS: '300' } });
  try {
    fresh.sim.controls.failNext('GET compute /servers/detail', 1, { mode: 'hang' });
    const body = await fresh.gql('{ servers { edges { node { flavor { name } } } } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(fresh.calls()).toMatchObject({ 'GET compute /flavors/detail': 1 });
  } finally {
    await fresh.close();
  }
});

test('only id and name selected: the short list (GET /servers)', async () => {
  const body = await stack.gql('{ servers(first: 5) { edges { cursor node { id name __typename } } pageInfo { endCursor } } }');
  expect(body.data.servers.edges).toHaveLength(5);
  expect(stack.calls()).toEqual({ 'GET compute /servers': 1 });
});

// The upstream client reads volumes one GET each (Cinder v2 has no id-list filter; see upstream/volume.ts).
test('one server with its volume attachments and their volumes: 2 calls plus one per volume', async () => {
  const list = await stack.gql('{ servers(filter: { name: "^db-01$" }) { edges { node { id } } } }');
  const id = list.data.servers.edges[0].node.id;
  stack.sim.controls.resetLog();
  const body = await stack.gql('query($id: ID!) { server(id: $id) { name volumeAttachments { device volume { name size } server { name } } } }', { id });
  expect(body.data.server.volumeAttachments).toHaveLength(2);
  expect(stack.calls()).toEqual({
    'GET compute /servers/{id}': 1,
    'GET compute /servers/{id}/os-volume_attachments': 1,
    'GET volume /volumes/{id}': 2,
  });
});

test("a server's attachment list is requested alongside the server, not after it", async () => {
  // Deterministic form of "in parallel": while GET /servers/{id} hangs, the list has been asked for.
  const fresh = await startStack({ env: { REQUEST_DEADLINE_MS: '300' } });
  try {
    const list = await fresh.gql('{ servers(filter: { name: "^db-01$" }) { edges { node { id } } } }');
    const id = list.data.servers.edges[0].node.id;
    fresh.sim.controls.resetLog();
    fresh.sim.controls.failNext('GET compute /servers/{id}', 1, { mode: 'hang' });
    const body = await fresh.gql('query($id: ID!) { server(id: $id) { volumeAttachments { device volume { size } } } }', { id });
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(fresh.calls()).toEqual({ 'GET compute /servers/{id}': 1, 'GET compute /servers/{id}/os-volume_attachments': 1 });
  } finally {
    await fresh.close();
  }
});

test('attachments with a page argument wait for the server; a missing server answers null', async () => {
  const list = await stack.gql('{ servers(filter: { name: "^db-01$" }) { edges { node { id } } } }');
  const id = list.data.servers.edges[0].node.id;
  stack.sim.controls.resetLog();
  const paged = await stack.gql('query($id: ID!) { server(id: $id) { volumeAttachments(limit: 1) { device } } }', { id });
  expect(paged.data.server.volumeAttachments).toHaveLength(1);
  expect(stack.calls()).toEqual({ 'GET compute /servers/{id}': 1, 'GET compute /servers/{id}/os-volume_attachments': 1 });

  // The early list of a server that does not exist fails unseen (its answer is not needed).
  stack.sim.controls.resetLog();
  const missing = await stack.gql('{ server(id: "00000000-0000-4000-8000-000000000000") { volumeAttachments { device } } }');
  expect(missing).toEqual({ data: { server: null } });
  expect(stack.calls()).toEqual({ 'GET compute /servers/{id}': 1, 'GET compute /servers/{id}/os-volume_attachments': 1 });
});

test('flavors and the flavor relation in one query share one catalogue call, cached afterwards', async () => {
  const fresh = await startStack();
  try {
    const body = await fresh.gql('{ flavors { id name } servers(first: 3) { edges { node { flavor { name } } } } }');
    expect(body.errors).toBeUndefined();
    expect(fresh.calls()).toEqual({ 'GET compute /servers/detail': 1, 'GET compute /flavors/detail': 1 });
    fresh.sim.controls.resetLog();
    await fresh.gql('{ flavors { id } }');
    expect(fresh.calls()).toEqual({});
  } finally {
    await fresh.close();
  }
});

test('a flavor missing from the catalogue falls back to GET /flavors/{id}', async () => {
  const body = await stack.gql('{ flavor(id: "private-or-deleted") { name } }');
  expect(body).toEqual({ data: { flavor: null } });
  expect(stack.calls()).toEqual({ 'GET compute /flavors/{id}': 1 });
});

test('token issuance happens once for many requests', async () => {
  await Promise.all([stack.gql(Q1), stack.gql(Q1), stack.gql('{ flavors { id } }')]);
  expect(stack.sim.controls.counters()[TOKEN_ROUTE]).toBeUndefined();
});
