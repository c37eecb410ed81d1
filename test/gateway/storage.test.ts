// Block storage through the gateway, against the simulator over HTTP: the volumes connection with
// its relations (exact upstream calls), volume types, snapshots, and every volume mutation with the
// refusals Cinder answers (mapped to the gateway's codes) and the ones the gateway makes first.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Stack, eventually, startStack } from '../helpers/gateway.js';

let stack: Stack;
const volumeIds: Record<string, string> = {};
const serverIds: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack();
  const body = await stack.gql('{ volumes(first: 100) { edges { node { id name } } } servers(first: 50) { edges { node { id name } } } }');
  for (const { node } of body.data.volumes.edges) if (node.name) volumeIds[node.name] = node.id;
  for (const { node } of body.data.servers.edges) serverIds[node.name] = node.id;
});
afterAll(() => stack.close());
beforeEach(() => stack.sim.controls.resetLog());

const VOLUME = 'query($id: ID!) { volume(id: $id) { id name size status description snapshots { id status } } }';
const volumeNow = async (id: string) => (await stack.gql(VOLUME, { id })).data.volume;
const until = async (id: string, done: (volume: any) => boolean) => expect(await eventually(async () => done(await volumeNow(id)))).toBe(true);

describe('volumes: the connection and its relations', () => {
  test('a page of volumes with attachments, snapshots and the snapshots\' volumes: 2 upstream calls', async () => {
    const body = await stack.gql(`{
      volumes(first: 100) {
        edges { node { id name status attachments { serverId device server { name } } snapshots { id name status size volume { id name } } } }
        pageInfo { hasNextPage }
      }
    }`);
    expect(body.errors).toBeUndefined();
    const nodes = body.data.volumes.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThanOrEqual(7);
    const data = nodes.find((n: any) => n.name === 'db-data');
    expect(data.status).toBe('in-use');
    expect(data.attachments).toEqual([{ serverId: serverIds['db-01'], device: '/dev/vdb', server: { name: 'db-01' } }]);
    expect(data.snapshots).toEqual([{ id: expect.any(String), name: 'db-data-nightly', status: 'available', size: 100, volume: { id: data.id, name: 'db-data' } }]);
    expect(nodes.find((n: any) => n.name === 'spare-a').snapshots).toEqual([]);
    // The page, one snapshot list for every volume of it, and one GET per distinct attached server;
    // the snapshots' volumes come from the page already loaded.
    const servers = new Set(nodes.flatMap((n: any) => n.attachments.map((a: any) => a.serverId))).size;
    expect(stack.calls()).toEqual({ 'GET volume /volumes/detail': 1, 'GET volume /snapshots/detail': 1, 'GET compute /servers/{id}': servers });
  });

  test('attachments and snapshots alone: exactly 2 calls for the page, none per volume', async () => {
    const body = await stack.gql('{ volumes(first: 100) { edges { node { id attachments { serverId } snapshots { id } } } } }');
    expect(body.errors).toBeUndefined();
    expect(stack.calls()).toEqual({ 'GET volume /volumes/detail': 1, 'GET volume /snapshots/detail': 1 });
  });

  test('pages by Cinder marker following volumes_links', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const body: any = await stack.gql('query($after: String) { volumes(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...body.data.volumes.edges.map((e: any) => e.node.id));
      if (!body.data.volumes.pageInfo.hasNextPage) break;
      after = body.data.volumes.pageInfo.endCursor;
    }
    const all = await stack.gql('{ volumes(first: 100) { edges { node { id } } } }');
    expect(seen).toEqual(all.data.volumes.edges.map((e: any) => e.node.id));
    const paths = stack.sim.controls.requestLog().filter((e) => e.route === 'GET volume /volumes/detail').map((e) => e.path);
    expect(paths[0]).toMatch(/\/volumes\/detail\?limit=2$/);
    expect(paths[1]).toContain(`marker=${seen[1]}`);
  });

  test('a failing snapshot list nulls only Volume.snapshots', async () => {
    stack.sim.controls.failNext('GET volume /snapshots/detail', 1, { status: 500 });
    const body = await stack.gql('{ volumes(first: 100) { edges { node { id name size snapshots { id } } } } }');
    const nodes = body.data.volumes.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThanOrEqual(7);
    expect(nodes.every((n: any) => n.snapshots === null && typeof n.size === 'number')).toBe(true);
    expect(body.errors?.[0]?.path).toEqual(['volumes', 'edges', 0, 'node', 'snapshots']);
    expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    // One failed call for the whole page, not one per volume.
    expect(stack.calls()).toEqual({ 'GET volume /volumes/detail': 1, 'GET volume /snapshots/detail': 1 });
  });

  test('volume types: General HDD, General SSD and the encrypted ones', async () => {
    const body = await stack.gql('{ volumeTypes { id name isPublic description } }');
    expect(body.data.volumeTypes.map((t: any) => t.name)).toEqual(['General HDD', 'General SSD', 'Encrypted HDD', 'Encrypted SSD']);
    expect(body.data.volumeTypes.every((t: any) => t.isPublic === true)).toBe(true);
    expect(stack.calls()).toEqual({ 'GET volume /types': 1 });
  });

  test('snapshots: the list, one by id, and a federation entity', async () => {
    const list = await stack.gql('{ volumeSnapshots { id name size volumeId createdAt volume { name } } }');
    const [nightly] = list.data.volumeSnapshots;
    expect(nightly).toMatchObject({ name: 'db-data-nightly', size: 100, volumeId: volumeIds['db-data'], volume: { name: 'db-data' } });
    const one = await stack.gql('query($id: ID!) { volumeSnapshot(id: $id) { name status } }', { id: nightly.id });
    expect(one.data.volumeSnapshot).toEqual({ name: 'db-data-nightly', status: 'available' });
    const missing = await stack.gql('{ volumeSnapshot(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(missing.data.volumeSnapshot).toBeNull();
    const entities = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on VolumeSnapshot { id name } } }',
      { r: [{ __typename: 'VolumeSnapshot', id: nightly.id }] },
    );
    expect(entities.data._entities).toEqual([{ id: nightly.id, name: 'db-data-nightly' }]);
  });
});

describe('volume mutations', () => {
  test('create (type by name), rename, extend, snapshot, then delete once the snapshot is gone', async () => {
    const created = await stack.gql(
      'mutation($input: CreateVolumeInput!) { createVolume(input: $input) { id name size status volumeType availabilityZone description } }',
      { input: { size: 10, name: 'data-1', description: 'scratch', volumeType: 'General SSD', availabilityZone: 'kr-pub-a' } },
    );
    expect(created.errors).toBeUndefined();
    const volume = created.data.createVolume;
    expect(volume).toMatchObject({ name: 'data-1', size: 10, status: 'creating', volumeType: 'General SSD', availabilityZone: 'kr-pub-a', description: 'scratch' });
    expect(stack.sim.controls.requestLog().find((e) => e.route === 'POST volume /volumes')).toBeDefined();
    await until(volume.id, (v) => v.status === 'available');

    const renamed = await stack.gql('mutation($id: ID!) { updateVolume(id: $id, name: "data-renamed") { name description } }', { id: volume.id });
    expect(renamed.data.updateVolume).toEqual({ name: 'data-renamed', description: 'scratch' });

    const smaller = await stack.gql('mutation($id: ID!) { extendVolume(id: $id, size: 5) { size } }', { id: volume.id });
    expect(smaller.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(smaller.errors?.[0]?.message).toContain('New size for extend must be greater than current size. (current: 10, extended: 5)');
    const extended = await stack.gql('mutation($id: ID!) { extendVolume(id: $id, size: 20) { size status } }', { id: volume.id });
    expect(extended.data.extendVolume).toEqual({ size: 10, status: 'extending' });
    await until(volume.id, (v) => v.status === 'available' && v.size === 20);

    const snap = await stack.gql(
      'mutation($input: CreateVolumeSnapshotInput!) { createVolumeSnapshot(input: $input) { id status size volumeId } }',
      { input: { volumeId: volume.id, name: 'data-1-snap' } },
    );
    expect(snap.data.createVolumeSnapshot).toMatchObject({ status: 'creating', size: 20, volumeId: volume.id });
    const snapshotId = snap.data.createVolumeSnapshot.id;
    await until(volume.id, (v) => v.snapshots?.[0]?.status === 'available');

    // A volume with snapshots cannot go (Cinder's wording names the rule).
    const refused = await stack.gql('mutation($id: ID!) { deleteVolume(id: $id) }', { id: volume.id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toContain('have snapshots');

    // A volume from the snapshot must be at least its size.
    const tooSmall = await stack.gql('mutation($s: ID!) { createVolume(input: { size: 10, snapshotId: $s }) { id } }', { s: snapshotId });
    expect(tooSmall.errors?.[0]?.message).toContain("Volume size '10'GB cannot be smaller than the snapshot size 20GB");
    const fromSnapshot = await stack.gql('mutation($s: ID!) { createVolume(input: { size: 30, snapshotId: $s }) { snapshotId size volumeType } }', { s: snapshotId });
    expect(fromSnapshot.data.createVolume).toEqual({ snapshotId, size: 30, volumeType: 'General SSD' });

    expect((await stack.gql('mutation($id: ID!) { deleteVolumeSnapshot(id: $id) }', { id: snapshotId })).data.deleteVolumeSnapshot).toBe(snapshotId);
    await until(volume.id, (v) => v.snapshots?.length === 0);
    expect((await stack.gql('mutation($id: ID!) { deleteVolume(id: $id) }', { id: volume.id })).data.deleteVolume).toBe(volume.id);
    await until(volume.id, (v) => v === null);
  });

  test('an in-use volume: no extend, no delete, a snapshot only with force', async () => {
    const id = volumeIds['db-data']!;
    const extend = await stack.gql('mutation($id: ID!) { extendVolume(id: $id, size: 200) { size } }', { id });
    expect(extend.errors?.[0]?.message).toContain(`Volume ${id} status must be 'available' to extend, currently in-use.`);
    const del = await stack.gql('mutation($id: ID!) { deleteVolume(id: $id) }', { id });
    expect(del.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(del.errors?.[0]?.message).toContain('must not be migrating, attached');
    const unforced = await stack.gql('mutation($id: ID!) { createVolumeSnapshot(input: { volumeId: $id }) { id } }', { id });
    expect(unforced.errors?.[0]?.message).toContain(`Volume ${id} status must be available, but current status is: in-use.`);
    const forced = await stack.gql('mutation($id: ID!) { createVolumeSnapshot(input: { volumeId: $id, force: true, name: "forced" }) { name status } }', { id });
    expect(forced.data.createVolumeSnapshot).toEqual({ name: 'forced', status: 'creating' });
  });

  test('unknown type, volume and snapshot are NOT_FOUND; a busy snapshot cannot be deleted', async () => {
    const type = await stack.gql('mutation { createVolume(input: { size: 10, volumeType: "Platinum" }) { id } }');
    expect(type.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(type.errors?.[0]?.message).toContain('Volume type with name Platinum could not be found.');
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const mutation of [
      'mutation($id: ID!) { updateVolume(id: $id, name: "x") { id } }',
      'mutation($id: ID!) { extendVolume(id: $id, size: 99) { id } }',
      'mutation($id: ID!) { deleteVolume(id: $id) }',
      'mutation($id: ID!) { deleteVolumeSnapshot(id: $id) }',
      'mutation($id: ID!) { createVolumeSnapshot(input: { volumeId: $id }) { id } }',
    ]) {
      expect((await stack.gql(mutation, { id: missing })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const snap = await stack.gql('mutation($id: ID!) { createVolumeSnapshot(input: { volumeId: $id }) { id } }', { id: volumeIds['spare-a'] });
    const busy = await stack.gql('mutation($id: ID!) { deleteVolumeSnapshot(id: $id) }', { id: snap.data.createVolumeSnapshot.id });
    expect(busy.errors?.[0]?.message).toContain('Snapshot status must be available or error');
  });

  test('bad inputs are refused before any upstream call, naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['mutation($i: CreateVolumeInput!) { createVolume(input: $i) { id } }', { i: { size: 0 } }, 'input.size'],
      ['mutation($i: CreateVolumeInput!) { createVolume(input: $i) { id } }', { i: { size: 10, name: 'n'.repeat(256) } }, 'input.name'],
      ['mutation($i: CreateVolumeInput!) { createVolume(input: $i) { id } }', { i: { size: 10, volumeType: ' General HDD' } }, 'input.volumeType'],
      ['mutation($i: CreateVolumeInput!) { createVolume(input: $i) { id } }', { i: { size: 10, availabilityZone: 'kr pub' } }, 'input.availabilityZone'],
      ['mutation($i: CreateVolumeInput!) { createVolume(input: $i) { id } }', { i: { size: 10, snapshotId: 'snap' } }, 'input.snapshotId'],
      ['mutation { updateVolume(id: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11") { id } }', {}, 'name'],
      ['mutation { extendVolume(id: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11", size: -1) { id } }', {}, 'size'],
      ['mutation { deleteVolume(id: "vol-1") }', {}, 'id'],
      ['mutation { createVolumeSnapshot(input: { volumeId: "x" }) { id } }', {}, 'input.volumeId'],
      ['{ volumes(first: 0) { edges { cursor } } }', {}, 'first'],
      ['{ volumes(after: "aW1hZ2U6YWJj") { edges { cursor } } }', {}, 'after'],
    ];
    for (const [query, variables, field] of cases) {
      const body = await stack.gql(query, variables);
      expect(body.errors?.[0]?.extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(stack.calls()).toEqual({});
  });
});

test('a data volume attached to a server and snapshotted (the GraphiQL tab\'s flow)', async () => {
  const created = await stack.gql('mutation { createVolume(input: { size: 20, name: "web-data", availabilityZone: "kr-pub-a" }) { id volumeType } }');
  const { id, volumeType } = created.data.createVolume;
  expect(volumeType).toBe('General HDD');
  await until(id, (v) => v.status === 'available');
  const attached = await stack.gql('mutation($s: ID!, $v: ID!) { attachVolume(serverId: $s, volumeId: $v) { device } }', { s: serverIds['web-01'], v: id });
  expect(attached.errors).toBeUndefined();
  await until(id, (v) => v.status === 'in-use');
  const snap = await stack.gql('mutation($v: ID!) { createVolumeSnapshot(input: { volumeId: $v, force: true, name: "web-data-1" }) { status volume { status attachments { server { name } } } } }', { v: id });
  expect(snap.data.createVolumeSnapshot).toEqual({ status: 'creating', volume: { status: 'in-use', attachments: [{ server: { name: 'web-01' } }] } });
});
