// The operations of NHN's current Instance API guide beyond the original 25 (nhn-api-beyond.md
// section 1): shelve / unshelve (NHN's terminate / start terminated instance), server metadata, and
// server groups (placement policies) with `os:scheduler_hints.group` at create time; and the
// `networks` entry forms NHN accepts (network, subnet, port, fixed IP).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness, type Answer } from './harness.js';
import { shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ buildDelayMs: 100 });
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

const task = (server: any) => server['OS-EXT-STS:task_state'];

function expectFault(answer: Answer, status: number, name: string, message: string | RegExp): void {
  expect(answer.status).toBe(status);
  expect(Object.keys(answer.body)).toEqual([name]);
  expect(answer.body[name].code).toBe(status);
  if (typeof message === 'string') expect(answer.body[name].message).toBe(message);
  else expect(answer.body[name].message).toMatch(message);
}

async function volumeStatuses(server: any): Promise<string[]> {
  const ids = (server['os-extended-volumes:volumes_attached'] as { id: string }[]).map((v) => v.id);
  return Promise.all(ids.map(async (id) => (await h.volume(`/volumes/${id}`)).body.volume.status));
}

describe('shelve (NHN: terminate instance) and unshelve (start terminated instance)', () => {
  it('ACTIVE -> shelving -> SHELVED (shelving_offloading) -> SHELVED_OFFLOADED, no host, volumes reserved; unshelve -> ACTIVE', async () => {
    const db = await h.serverNamed('db-01');
    expect(await volumeStatuses(db)).toEqual(['in-use', 'in-use']);
    expect((await h.action(db.id, { shelve: null })).status).toBe(202);
    expect(await h.server(db.id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': 'shelving' });
    const offloading = await h.waitFor(db.id, (s) => task(s) === 'shelving_offloading');
    expect(offloading).toMatchObject({ status: 'SHELVED', 'OS-EXT-STS:vm_state': 'shelved' });
    const offloaded = await h.waitForStatus(db.id, 'SHELVED_OFFLOADED');
    expect(offloaded).toMatchObject({ 'OS-EXT-STS:vm_state': 'shelved_offloaded', 'OS-EXT-STS:power_state': 4, hostId: '' });
    expect(offloaded.addresses).toEqual(db.addresses);
    expect(await volumeStatuses(offloaded)).toEqual(['reserved', 'reserved']);

    expect((await h.action(db.id, { unshelve: null })).status).toBe(202);
    expect(await h.server(db.id)).toMatchObject({ status: 'SHELVED_OFFLOADED', 'OS-EXT-STS:task_state': 'unshelving' });
    const active = await h.waitForStatus(db.id, 'ACTIVE');
    expect(active).toMatchObject({ 'OS-EXT-STS:power_state': 1, hostId: expect.stringMatching(/^[0-9a-f]{56}$/) });
    expect(await volumeStatuses(active)).toEqual(['in-use', 'in-use']);
  });

  it('shelve only from ACTIVE (NHN), never for a GPU flavor; unshelve only from SHELVED_OFFLOADED', async () => {
    const stopped = (await h.serverNamed('batch-01')).id;
    expectFault(await h.action(stopped, { shelve: null }), 409, 'conflictingRequest', `Cannot 'shelve' instance ${stopped} while it is in vm_state stopped`);
    const paused = await h.addServer('PAUSED');
    expectFault(await h.action(paused, { shelve: null }), 409, 'conflictingRequest', `Cannot 'shelve' instance ${paused} while it is in vm_state paused`);
    const gpu = await h.addServer('ACTIVE', 'g2.c8m90');
    expectFault(await h.action(gpu, { shelve: null }), 409, 'conflictingRequest', /GPU instances cannot be terminated/);
    const web = (await h.serverNamed('web-01')).id;
    expectFault(await h.action(web, { unshelve: null }), 409, 'conflictingRequest', `Cannot 'unshelve' instance ${web} while it is in vm_state active`);
    expect((await h.action(web, { shelve: null })).status).toBe(202);
    expectFault(await h.action(web, { shelve: null }), 409, 'conflictingRequest', `Cannot 'shelve' instance ${web} while it is in task_state shelving`);
  });
});

describe('server metadata', () => {
  it("lists NHN's system keys on a demo server, shows one key, 404 for a missing one", async () => {
    const web = await h.serverNamed('web-01');
    const list = await h.compute('GET', `/servers/${web.id}/metadata`);
    expect(list.status).toBe(200);
    expect(shapeDifferences(list.body, sample('compute-server-metadata-list-resp.json'), { maps: ['metadata'] })).toEqual([]);
    for (const key of ['os_distro', 'os_version', 'image_name', 'os_type', 'login_username', 'description', 'volume_size', 'project_domain', 'monitoring_agent', 'tc_env', 'os_architecture']) {
      expect(list.body.metadata).toHaveProperty(key);
    }
    const one = await h.compute('GET', `/servers/${web.id}/metadata/login_username`);
    expect(one).toMatchObject({ status: 200, body: { meta: { login_username: 'ubuntu' } } });
    expect(shapeDifferences(one.body, sample('compute-server-metadata-item-get-resp.json'), { maps: ['meta'] })).toEqual([]);
    expectFault(await h.compute('GET', `/servers/${web.id}/metadata/nope`), 404, 'itemNotFound', 'Metadata item was not found');
  });

  it('PUT sets one key (200, the same meta body), DELETE removes it (204); the server body shows both', async () => {
    const { id } = await h.serverNamed('web-01');
    const put = await h.compute('PUT', `/servers/${id}/metadata/team`, { meta: { team: 'web' } });
    expect(put).toMatchObject({ status: 200, body: { meta: { team: 'web' } } });
    expect(shapeDifferences(put.body, sample('compute-server-metadata-item-put-resp.json'), { maps: ['meta'] })).toEqual([]);
    expect((await h.server(id)).metadata.team).toBe('web');
    const removed = await h.compute('DELETE', `/servers/${id}/metadata/team`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await h.server(id)).metadata).not.toHaveProperty('team');
    expectFault(await h.compute('DELETE', `/servers/${id}/metadata/team`), 404, 'itemNotFound', 'Metadata item was not found');
  });

  it("refuses a body/URI mismatch, several items, a bad key, a long value (Nova's schema), an unknown server", async () => {
    const { id } = await h.serverNamed('web-01');
    expectFault(await h.compute('PUT', `/servers/${id}/metadata/team`, { meta: { owner: 'x' } }), 400, 'badRequest', 'Request body and URI mismatch');
    expectFault(await h.compute('PUT', `/servers/${id}/metadata/a`, { meta: { a: '1', b: '2' } }), 400, 'badRequest', /has too many properties$/);
    expectFault(await h.compute('PUT', `/servers/${id}/metadata/a`, { meta: {} }), 400, 'badRequest', /does not have enough properties$/);
    expectFault(await h.compute('PUT', `/servers/${id}/metadata/a%2Fb`, { meta: { 'a/b': 'x' } }), 400, 'badRequest', /Additional properties are not allowed/);
    expectFault(await h.compute('PUT', `/servers/${id}/metadata/a`, { meta: { a: 'x'.repeat(256) } }), 400, 'badRequest', /is too long$/);
    expectFault(await h.compute('PUT', `/servers/${id}/metadata/a`, { metadata: { a: 'x' } }), 400, 'badRequest', /'meta' is a required property$/);
    const missing = 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec';
    expectFault(await h.compute('PUT', `/servers/${missing}/metadata/a`, { meta: { a: 'x' } }), 404, 'itemNotFound', `Instance ${missing} could not be found.`);
  });

  it('409 while a task runs or in ERROR; 403 over the 128-item quota', async () => {
    // A simulator whose tasks last long enough that a loaded machine cannot outrun them.
    const slow = await startHarness({ buildDelayMs: 5_000 });
    try {
      const { id } = await slow.serverNamed('web-01');
      expect((await slow.action(id, { 'os-stop': null })).status).toBe(202);
      const put = await slow.compute('PUT', `/servers/${id}/metadata/a`, { meta: { a: 'x' } });
      expectFault(put, 409, 'conflictingRequest', `Cannot 'update metadata' instance ${id} while it is in task_state powering-off`);
      const removed = await slow.compute('DELETE', `/servers/${id}/metadata/os_type`);
      expectFault(removed, 409, 'conflictingRequest', `Cannot 'delete metadata' instance ${id} while it is in task_state powering-off`);
    } finally {
      await slow.sim.close();
    }
    const failed = (await h.serverNamed('build-failed')).id;
    expectFault(await h.compute('PUT', `/servers/${failed}/metadata/a`, { meta: { a: 'x' } }), 409, 'conflictingRequest', `Cannot 'update metadata' instance ${failed} while it is in vm_state error`);

    const db = await h.serverNamed('db-01');
    const present = Object.keys(db.metadata).length;
    for (let i = present; i < 128; i++) {
      expect((await h.compute('PUT', `/servers/${db.id}/metadata/k${i}`, { meta: { [`k${i}`]: 'v' } })).status).toBe(200);
    }
    expectFault(await h.compute('PUT', `/servers/${db.id}/metadata/one-more`, { meta: { 'one-more': 'v' } }), 403, 'forbidden', 'Maximum number of metadata items exceeds 128');
    // Changing a key that exists adds nothing and is allowed.
    expect((await h.compute('PUT', `/servers/${db.id}/metadata/k127`, { meta: { k127: 'w' } })).status).toBe(200);
  });
});

/** Deletes three demo servers, so that five more fit in the instance quota (10). */
async function makeRoom(): Promise<void> {
  for (const name of ['dev-u2', 'build-failed', 'win-01']) await h.compute('DELETE', `/servers/${(await h.serverNamed(name)).id}`);
}

async function createGroup(name: string, policies: unknown = ['anti-affinity']): Promise<Answer> {
  return h.compute('POST', '/os-server-groups', { server_group: { name, policies } });
}

describe('server groups (NHN placement policies)', () => {
  it('create answers 200 with the sample shape; list, show, delete (204), 404 afterwards', async () => {
    const created = await createGroup('spread');
    expect(created.status).toBe(200);
    expect(shapeDifferences(created.body, sample('compute-server-group-create-resp.json'))).toEqual([]);
    expect(created.body.server_group).toMatchObject({ name: 'spread', policies: ['anti-affinity'], members: [], metadata: {} });
    const { id } = created.body.server_group;
    expect((await h.compute('GET', '/os-server-groups')).body).toEqual({ server_groups: [created.body.server_group] });
    expect((await h.compute('GET', `/os-server-groups/${id}`)).body).toEqual(created.body);
    expect((await h.compute('DELETE', `/os-server-groups/${id}`)).status).toBe(204);
    expectFault(await h.compute('GET', `/os-server-groups/${id}`), 404, 'itemNotFound', `Instance group ${id} could not be found.`);
    expectFault(await h.compute('DELETE', `/os-server-groups/${id}`), 404, 'itemNotFound', `Instance group ${id} could not be found.`);
  });

  it("refuses bad policies and names with Nova's schema messages; 403 past 10 groups", async () => {
    expectFault(await createGroup('x', ['soft-anti-affinity']), 400, 'badRequest', /is not one of \['anti-affinity', 'affinity'\]$/);
    expectFault(await createGroup('x', []), 400, 'badRequest', /\[\] is too short$/);
    expectFault(await createGroup('x', ['anti-affinity', 'affinity']), 400, 'badRequest', /is too long$/);
    expectFault(await createGroup(' x'), 400, 'badRequest', /Can not start or end with whitespace/);
    expectFault(await h.compute('POST', '/os-server-groups', { server_group: { policies: ['anti-affinity'] } }), 400, 'badRequest', /'name' is a required property$/);
    for (let i = 0; i < 10; i++) expect((await createGroup(`g${i}`)).status).toBe(200);
    expectFault(await createGroup('g10'), 403, 'forbidden', 'Quota exceeded, too many server groups.');
  });

  it('os:scheduler_hints.group adds the new servers, spread over different hosts; deleted servers leave the list', async () => {
    const group = (await createGroup('web')).body.server_group;
    const answer = await h.compute('POST', '/servers', await h.createBody({ min_count: 3, max_count: 3, name: 'web' }, { 'os:scheduler_hints': { group: group.id } }));
    expect(answer.status).toBe(202);
    const shown = await h.compute('GET', `/os-server-groups/${group.id}`);
    expect(shapeDifferences(shown.body, sample('compute-server-group-get-resp.json'))).toEqual([]);
    expect(shapeDifferences((await h.compute('GET', '/os-server-groups')).body, sample('compute-server-groups-list-resp.json'))).toEqual([]);
    const members = shown.body.server_group.members as string[];
    expect(members).toHaveLength(3);
    const servers = await Promise.all(members.map((id) => h.waitForStatus(id, 'ACTIVE')));
    expect(new Set(servers.map((s) => s.hostId)).size).toBe(3);
    expect((await h.compute('DELETE', `/servers/${members[0]}`)).status).toBe(204);
    expect((await h.compute('GET', `/os-server-groups/${group.id}`)).body.server_group.members).toEqual(members.slice(1));
  });

  it('a hint inside `server` is ignored (Nova reads it only beside `server`)', async () => {
    const group = (await createGroup('web')).body.server_group;
    expect((await h.compute('POST', '/servers', await h.createBody({ 'os:scheduler_hints': { group: group.id } }))).status).toBe(202);
    expect((await h.compute('GET', `/os-server-groups/${group.id}`)).body.server_group.members).toEqual([]);
  });

  it('a create that cannot be spread ends in ERROR with a NoValidHost fault; the members quota is 10 (403)', async () => {
    await makeRoom();
    const group = (await createGroup('tight')).body.server_group;
    const hint = { 'os:scheduler_hints': { group: group.id } };
    // Four hosts per zone: a fifth member pinned to kr-pub-a has nowhere to go.
    for (let i = 0; i < 4; i++) expect((await h.compute('POST', '/servers', await h.createBody({ name: `a${i}`, availability_zone: 'kr-pub-a' }, hint))).status).toBe(202);
    const fifth = await h.compute('POST', '/servers', await h.createBody({ name: 'a4', availability_zone: 'kr-pub-a' }, hint));
    expect(fifth.status).toBe(202);
    const failed = await h.waitForStatus(fifth.body.server.id, 'ERROR');
    expect(failed.fault).toMatchObject({ code: 500, message: 'No valid host was found. There are not enough hosts available.' });
    expect(failed.hostId).toBe('');
    h.sim.controls.resetLog();
    await h.compute('DELETE', `/servers/${fifth.body.server.id}`);
    // Quota: 4 members now, 7 more would be 11.
    expectFault(await h.compute('POST', '/servers', await h.createBody({ min_count: 7, max_count: 7 }, hint)), 403, 'forbidden', 'Quota exceeded, too many servers in group');
  });

  it('refuses a hint naming no group (400) or not a uuid (schema)', async () => {
    const missing = 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec';
    expectFault(await h.compute('POST', '/servers', await h.createBody({}, { 'os:scheduler_hints': { group: missing } })), 400, 'badRequest', `Instance group ${missing} could not be found.`);
    expectFault(await h.compute('POST', '/servers', await h.createBody({}, { 'os:scheduler_hints': { group: 'web' } })), 400, 'badRequest', /'web' is not a 'uuid'$/);
  });

  it('deleting a group with members is allowed and leaves the servers alone', async () => {
    const group = (await createGroup('web')).body.server_group;
    const { id } = (await h.compute('POST', '/servers', await h.createBody({}, { 'os:scheduler_hints': { group: group.id } }))).body.server;
    expect((await h.compute('DELETE', `/os-server-groups/${group.id}`)).status).toBe(204);
    expect((await h.waitForStatus(id, 'ACTIVE')).id).toBe(id);
  });
});

describe('networks entries (NHN: a network, a subnet, a port or a fixed IP)', () => {
  async function createWith(networks: unknown[]): Promise<Answer> {
    return h.compute('POST', '/servers', await h.createBody({ networks }));
  }

  it('accepts uuid, subnet, fixed_ip alone, and uuid or subnet with a fixed_ip (the address is given)', async () => {
    await makeRoom();
    const subnet = await h.subnetId();
    const network = (await h.network('/v2.0/networks')).body.networks.find((n: any) => !n['router:external']).id;
    for (const [entry, ip] of [
      [{ uuid: network }, undefined],
      [{ subnet }, undefined],
      [{ fixed_ip: '192.168.0.201' }, '192.168.0.201'],
      [{ uuid: network, fixed_ip: '192.168.0.202' }, '192.168.0.202'],
      [{ subnet, fixed_ip: '192.168.0.203' }, '192.168.0.203'],
    ] as const) {
      const answer = await createWith([entry]);
      expect(answer.status, JSON.stringify(entry)).toBe(202);
      const address = (await h.server(answer.body.server.id)).addresses['Default Network'][0].addr;
      if (ip) expect(address).toBe(ip);
      else expect(address).toMatch(/^192\.168\.0\.\d+$/);
    }
  });

  it('refuses a fixed IP outside every subnet, a port with a fixed IP, an unknown port, an empty entry', async () => {
    const subnet = await h.subnetId();
    expectFault(await createWith([{ fixed_ip: '10.9.9.9' }]), 400, 'badRequest', 'IP address 10.9.9.9 is not a valid IP for any of the subnets on the specified network.');
    expectFault(await createWith([{ subnet, fixed_ip: '10.9.9.9' }]), 400, 'badRequest', 'IP address 10.9.9.9 is not a valid IP for the specified subnet.');
    const port = 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec';
    expectFault(await createWith([{ port, fixed_ip: '192.168.0.50' }]), 400, 'badRequest', `Specified Fixed IP '192.168.0.50' cannot be used with port '${port}': the two cannot be specified together.`);
    expectFault(await createWith([{ port }]), 400, 'badRequest', `Port ${port} could not be found.`);
    expectFault(await createWith([{}]), 400, 'badRequest', 'Bad network format: missing uuid');
  });

  it('the request log keeps the body a client sent (not for identity)', async () => {
    h.sim.controls.resetLog();
    const body = await h.createBody();
    await h.compute('POST', '/servers', body);
    await h.login();
    const log = h.sim.controls.requestLog();
    expect(log.find((e) => e.route === 'POST compute /servers')?.body).toEqual(body);
    expect(log.find((e) => e.route === 'POST identity /v2.0/tokens')).not.toHaveProperty('body');
  });
});
