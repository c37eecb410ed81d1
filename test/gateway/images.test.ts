// `images`: Glance's list as a Relay connection (limit, marker, relative `next` links, filters), and
// image records in a passing state (a snapshot `queued` right after createServerImage) kept out of
// the image cache.

import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { type Stack, eventually, startStack, withStack } from '../helpers/gateway.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.sim.controls.resetLog());

const PAGE = /* GraphQL */ `
  query($first: Int, $after: String, $filter: ImageFilter) {
    images(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id name status visibility osType } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

test('pages through every visible image following Glance next links, one call per page', async () => {
  const seen: string[] = [];
  let after: string | null = null;
  const pages: number[] = [];
  for (let i = 0; i < 10; i++) {
    const body: any = await stack.gql(PAGE, { first: 3, after });
    expect(body.errors).toBeUndefined();
    const { edges, pageInfo } = body.data.images;
    pages.push(edges.length);
    seen.push(...edges.map((e: any) => e.node.id));
    expect(pageInfo.hasPreviousPage).toBe(after !== null);
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
  }
  // Six public NHN images and the project's own snapshot; the last page is short, so it has no `next`.
  expect(pages).toEqual([3, 3, 1]);
  expect(new Set(seen).size).toBe(7);
  expect(stack.calls()).toEqual({ 'GET image /v2/images': 3 });
  const paths = stack.sim.controls.requestLog().filter((e) => e.service === 'image').map((entry) => entry.path);
  expect(paths[0]).toMatch(/\?limit=3$/);
  // The second and third pages start at the marker Glance's `next` link named: the last id seen.
  expect(paths[1]).toContain(`marker=${seen[2]}`);
  expect(paths[2]).toContain(`marker=${seen[5]}`);
});

test("Glance's filters: public images only, the project's own, by status", async () => {
  const publicOnly = await stack.gql(PAGE, { filter: { visibility: 'public' } });
  const publicNodes = publicOnly.data.images.edges.map((e: any) => e.node);
  expect(publicNodes).toHaveLength(6);
  expect(publicNodes.every((n: any) => n.visibility === 'public')).toBe(true);
  const own = await stack.gql(PAGE, { filter: { visibility: 'private', status: 'active' } });
  expect(own.data.images.edges.map((e: any) => e.node.name)).toEqual(['web-01-snapshot (2025.03.05)']);
  const windows = await stack.gql(PAGE, { filter: { name: 'Windows 2022 STD (2024.06.18) EN' } });
  expect(windows.data.images.edges.map((e: any) => e.node.osType)).toEqual(['windows']);
  expect(stack.sim.controls.requestLog().filter((e) => e.service === 'image').map((entry) => entry.path)).toEqual([
    '/image/v2/images?visibility=public&limit=20',
    '/image/v2/images?status=active&visibility=private&limit=20',
    `/image/v2/images?name=${encodeURIComponent('Windows 2022 STD (2024.06.18) EN')}&limit=20`,
  ]);
});

test('bad filters, page sizes and cursors are refused before any call', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ filter: { visibility: 'everyone' } }, 'filter.visibility'],
    [{ filter: { status: 'ready' } }, 'filter.status'],
    [{ filter: { tag: '_nhn' } }, 'filter.tag'],
    [{ filter: { name: 'n'.repeat(256) } }, 'filter.name'],
    [{ first: 0 }, 'first'],
    [{ after: Buffer.from('server:abc').toString('base64url') }, 'after'],
  ];
  for (const [variables, field] of cases) {
    const body = await stack.gql(PAGE, variables);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  }
  expect(stack.calls()).toEqual({});
});

test('a snapshot read while queued is not cached: image(id) shows it active as soon as Glance does', async () => {
  // A build delay long enough that the mutation's own read surely sees `queued`, far inside the
  // image TTL (300 s) all the same.
  await withStack({ buildDelayMs: 1_500 }, async (slow) => {
    const servers = await slow.gql('{ servers(first: 50) { edges { node { id name } } } }');
    const devU2 = servers.data.servers.edges.find((e: any) => e.node.name === 'dev-u2').node.id;
    const created = await slow.gql(
      'mutation($id: ID!) { createServerImage(id: $id, name: "settle-test") { imageId image { status } } }',
      { id: devU2 },
    );
    expect(created.errors).toBeUndefined();
    const { imageId, image } = created.data.createServerImage;
    expect(image.status).toBe('queued');
    const statusNow = async () => (await slow.gql('query($id: ID!) { image(id: $id) { status } }', { id: imageId })).data.image.status;
    expect(await eventually(async () => (await statusNow()) === 'active')).toBe(true);
    // Once active it is cached as before: the next read costs no call.
    slow.sim.controls.resetLog();
    expect(await statusNow()).toBe('active');
    expect(slow.calls()).toEqual({});
  });
});
