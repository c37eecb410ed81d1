// Image changes through the gateway, against the simulator over HTTP: updateImage (Glance JSON patch),
// deleteImage, addImageTag / removeImageTag, with Glance's and NHN's refusals, and the image cache
// dropped by every change (a cached image never outlives the change the gateway itself made).

import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { type Stack, startStack } from '../helpers/gateway.js';

let stack: Stack;
let own: string;
let publicImage: string;

beforeAll(async () => {
  stack = await startStack();
  const mine = await stack.gql('{ images(filter: { visibility: "private" }) { edges { node { id } } } }');
  own = mine.data.images.edges[0].node.id;
  const nhn = await stack.gql('{ images(filter: { visibility: "public" }, first: 1) { edges { node { id } } } }');
  publicImage = nhn.data.images.edges[0].node.id;
});
afterAll(() => stack.close());
beforeEach(() => stack.sim.controls.resetLog());

const IMAGE = 'query($id: ID!) { image(id: $id) { name minDisk minRam tags protected owner } }';

test('updateImage sends one JSON patch and the cached image follows at once', async () => {
  const before = await stack.gql(IMAGE, { id: own });
  expect(before.data.image).toMatchObject({ name: 'web-01-snapshot (2025.03.05)', protected: false, owner: stack.sim.tenantId });
  stack.sim.controls.resetLog();
  const updated = await stack.gql('mutation($id: ID!) { updateImage(id: $id, name: "golden-web", minDisk: 30, minRam: 1024) { name minDisk minRam } }', { id: own });
  expect(updated.data.updateImage).toEqual({ name: 'golden-web', minDisk: 30, minRam: 1024 });
  expect(stack.calls()).toEqual({ 'PATCH image /v2/images/{id}': 1 });
  // The image was cached before the change: the change dropped it, so this read sees the new name.
  const after = await stack.gql(IMAGE, { id: own });
  expect(after.data.image).toMatchObject({ name: 'golden-web', minDisk: 30 });
  expect(stack.calls()).toEqual({ 'PATCH image /v2/images/{id}': 1, 'GET image /v2/images/{id}': 1 });
});

test("NHN's public images cannot be changed or deleted", async () => {
  const update = await stack.gql('mutation($id: ID!) { updateImage(id: $id, name: "mine now") { id } }', { id: publicImage });
  expect(update.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const del = await stack.gql('mutation($id: ID!) { deleteImage(id: $id) }', { id: publicImage });
  expect(del.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const tag = await stack.gql('mutation($id: ID!) { addImageTag(id: $id, tag: "x") { id } }', { id: publicImage });
  expect(tag.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect((await stack.gql(IMAGE, { id: publicImage })).data.image.protected).toBe(true);
});

test('tags: add (listed by the tag filter), remove, remove again is NOT_FOUND', async () => {
  const added = await stack.gql('mutation($id: ID!) { addImageTag(id: $id, tag: "golden") { tags } }', { id: own });
  expect(added.data.addImageTag.tags).toEqual(['golden']);
  expect(stack.calls()).toEqual({ 'PUT image /v2/images/{id}/tags/{id}': 1, 'GET image /v2/images/{id}': 1 });
  const tagged = await stack.gql('{ images(filter: { tag: "golden" }) { edges { node { id tags } } } }');
  expect(tagged.data.images.edges.map((e: any) => e.node.id)).toEqual([own]);
  const removed = await stack.gql('mutation($id: ID!) { removeImageTag(id: $id, tag: "golden") { tags } }', { id: own });
  expect(removed.data.removeImageTag.tags).toEqual([]);
  const again = await stack.gql('mutation($id: ID!) { removeImageTag(id: $id, tag: "golden") { tags } }', { id: own });
  expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});

test('bad names, sizes and tags are refused before any call', async () => {
  const cases: [string, string][] = [
    [`mutation { addImageTag(id: "${own}", tag: "_system") { id } }`, 'tag'],
    [`mutation { addImageTag(id: "${own}", tag: "${'t'.repeat(256)}") { id } }`, 'tag'],
    [`mutation { addImageTag(id: "${own}", tag: "a/b") { id } }`, 'tag'],
    [`mutation { addImageTag(id: "${own}", tag: "") { id } }`, 'tag'],
    [`mutation { updateImage(id: "${own}") { id } }`, 'name'],
    [`mutation { updateImage(id: "${own}", minDisk: -1) { id } }`, 'minDisk'],
    [`mutation { updateImage(id: "${own}", name: " padded ") { id } }`, 'name'],
    ['mutation { deleteImage(id: "not-a-uuid") }', 'id'],
  ];
  for (const [query, field] of cases) {
    const body = await stack.gql(query);
    expect(body.errors?.[0]?.extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', field });
  }
  expect(stack.calls()).toEqual({});
});

test('deleteImage removes an own image, and the cache forgets it', async () => {
  const servers = await stack.gql('{ servers(first: 50) { edges { node { id name } } } }');
  const devU2 = servers.data.servers.edges.find((e: any) => e.node.name === 'dev-u2').node.id;
  const { data } = await stack.gql('mutation($id: ID!) { createServerImage(id: $id, name: "to-delete") { imageId } }', { id: devU2 });
  const id = data.createServerImage.imageId;
  // Glance lets a queued image go too; the delete answers 204.
  expect((await stack.gql('mutation($id: ID!) { deleteImage(id: $id) }', { id })).data.deleteImage).toBe(id);
  expect((await stack.gql(IMAGE, { id })).data.image).toBeNull();
  const twice = await stack.gql('mutation($id: ID!) { deleteImage(id: $id) }', { id });
  expect(twice.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});
