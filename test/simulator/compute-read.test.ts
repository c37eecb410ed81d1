// Read operations of compute (flavors, zones, keypairs, servers) against their samples, with the
// servers list's filters and paging.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness } from './harness.js';
import { serverAllowances, shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('flavors', () => {
  it("GET /flavors has NHN's shape", async () => {
    const answer = await h.compute('GET', '/flavors');
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, sample('compute-flavors-list-resp.json'))).toEqual([]);
  });

  it("GET /flavors/detail has NHN's shape: UUID ids, swap \"\", extra_specs", async () => {
    const answer = await h.compute('GET', '/flavors/detail');
    expect(shapeDifferences(answer.body, sample('compute-flavors-detail-resp.json'))).toEqual([]);
    const flavors = answer.body.flavors as any[];
    expect(new Set(flavors.map((f) => f.name.slice(0, 2)))).toEqual(new Set(['u2', 'm2', 'c2', 'r2', 't2', 'x1', 'g2']));
    for (const flavor of flavors) {
      expect(flavor.id).toMatch(UUID);
      expect(flavor.swap).toBe('');
      expect(flavor.name).toMatch(/^[a-z]\d\.c\d+m\d+$/);
      expect(flavor.ram).toBe(Number(flavor.name.split('m').at(-1)) * 1024);
      // Only u2 and GPU flavors have a local root disk; the others boot from volumes.
      expect(flavor.disk > 0).toBe(/^(u2|g2)\./.test(flavor.name));
    }
    expect(flavors.find((f) => f.name === 'x1.c32m256').extra_specs).toEqual({ flavor_type: 'performance' });
    expect(flavors.map((f) => f.id)).toEqual([...flavors.map((f) => f.id)].sort());
  });

  it('GET /flavors/{id} has the shape of one flavor (plus NHN extra_specs)', async () => {
    const id = await h.flavorId('m2.c2m4');
    const answer = await h.compute('GET', `/flavors/${id}`);
    expect(shapeDifferences(answer.body, sample('flavor-get-resp.json'), { extra: ['flavor.extra_specs'] })).toEqual([]);
    expect((await h.compute('GET', '/flavors/nope')).status).toBe(404);
  });

  it('filters with minDisk and minRam (>=), and refuses a non-integer', async () => {
    const all = (await h.compute('GET', '/flavors/detail')).body.flavors as any[];
    const bigRam = (await h.compute('GET', '/flavors/detail?minRam=16384')).body.flavors as any[];
    expect(bigRam.map((f) => f.name).sort()).toEqual(all.filter((f) => f.ram >= 16384).map((f) => f.name).sort());
    expect(bigRam.some((f) => f.ram === 16384)).toBe(true);
    const disk = (await h.compute('GET', '/flavors?minDisk=50')).body.flavors.map((f: any) => f.name).sort();
    expect(disk).toEqual(['g2.c8m90', 'u2.c2m4', 'u2.c4m8']);
    const bad = await h.compute('GET', '/flavors?minRam=lots');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ badRequest: { code: 400, message: 'Invalid minRam filter [lots]' } });
  });
});

describe('availability zones and keypairs', () => {
  it("GET /os-availability-zone lists kr-pub-a and kr-pub-b in NHN's shape", async () => {
    const answer = await h.compute('GET', '/os-availability-zone');
    expect(answer.body).toEqual(sample('compute-availability-zones-list-resp.json'));
  });

  it("GET /os-keypairs and /os-keypairs/{name} have NHN's shapes", async () => {
    const list = await h.compute('GET', '/os-keypairs');
    expect(shapeDifferences(list.body, sample('compute-keypairs-list-resp.json'))).toEqual([]);
    const names = list.body.keypairs.map((k: any) => k.keypair.name);
    expect(names).toEqual(['demo-key', 'ops-key']);
    const one = await h.compute('GET', '/os-keypairs/demo-key');
    expect(shapeDifferences(one.body, sample('compute-keypair-get-resp.json'))).toEqual([]);
    expect(one.body.keypair.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(one.body.keypair.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('answers 404 for an unknown keypair', async () => {
    const answer = await h.compute('GET', '/os-keypairs/nope');
    expect(answer.status).toBe(404);
    expect(answer.body.itemNotFound.message).toMatch(/^Keypair nope not found for user [0-9a-f]{32}$/);
  });
});

describe('servers', () => {
  it("GET /servers lists id, links and name in NHN's shape", async () => {
    const answer = await h.compute('GET', '/servers');
    expect(shapeDifferences(answer.body, sample('compute-servers-list-resp.json'))).toEqual([]);
    expect(answer.body.servers.map((s: any) => s.name)).toEqual(['build-failed', 'dev-u2', 'win-01', 'batch-01', 'db-01', 'web-01']);
  });

  it("GET /servers/detail and /servers/{id} have NHN's shapes, in several states", async () => {
    const detail = await h.compute('GET', '/servers/detail');
    expect(shapeDifferences(detail.body, sample('compute-servers-detail-resp.json'), serverAllowances('servers[]'))).toEqual([]);
    const statuses = detail.body.servers.map((s: any) => s.status);
    expect(new Set(statuses)).toEqual(new Set(['ACTIVE', 'SHUTOFF', 'ERROR']));
    for (const server of detail.body.servers) {
      const one = await h.compute('GET', `/servers/${server.id}`);
      expect(shapeDifferences(one.body, sample('compute-server-get-resp.json'), serverAllowances('server'))).toEqual([]);
      expect(one.body.server).toEqual(server);
    }
  });

  it('keeps the timestamp forms of the sample and NHN-only fields', async () => {
    const server = await h.serverNamed('web-01');
    expect(server.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(server.updated).toMatch(/Z$/);
    expect(server['OS-SRV-USG:launched_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(server['NHN-EXT-ATTR:protect']).toBe(false);
    expect(server['NHN-EXT-ATTR:ephemeral_disk_size']).toBe(0);
    expect(server.metadata).toMatchObject({ os_type: 'linux', login_username: 'ubuntu', project_domain: 'NORMAL', volume_size: '20' });
    expect(server.hostId).toMatch(/^[0-9a-f]{56}$/);
    expect(server.progress).toBe(0);
    const stopped = await h.serverNamed('batch-01');
    expect(stopped['OS-EXT-STS:power_state']).toBe(4);
    expect('progress' in stopped).toBe(false);
  });

  it('shows fault on a server in ERROR (a build that never launched)', async () => {
    const server = await h.serverNamed('build-failed');
    expect(server.status).toBe('ERROR');
    expect(server.fault).toEqual({ code: 500, created: expect.stringMatching(/Z$/), message: 'No valid host was found. There are not enough hosts available.' });
    expect(server['OS-SRV-USG:launched_at']).toBeNull();
    expect(server.addresses).toEqual({});
    expect('fault' in (await h.serverNamed('web-01'))).toBe(false);
  });

  it("answers 404 for an unknown server in Nova's envelope", async () => {
    const id = 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec';
    const answer = await h.compute('GET', `/servers/${id}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(sample('error-itemNotFound-server-resp.json'));
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    expect((await h.compute('GET', '/nowhere')).body.itemNotFound.code).toBe(404);
    const wrong = await h.compute('PATCH', '/servers');
    expect(wrong.status).toBe(405);
    expect(wrong.body.badMethod.code).toBe(405);
  });
});

describe('servers list paging', () => {
  const names = (answer: { body: any }) => answer.body.servers.map((s: any) => s.name);

  it('gives a servers_links next link only when the page is full, keeping the query', async () => {
    const first = await h.compute('GET', '/servers/detail?limit=4&status=ACTIVE');
    expect(names(first)).toHaveLength(4);
    const next = new URL(first.body.servers_links[0].href);
    expect(first.body.servers_links[0].rel).toBe('next');
    expect(`${next.origin}${next.pathname}`).toBe(`${h.computeRoot}/servers/detail`);
    expect(next.searchParams.get('status')).toBe('ACTIVE');
    expect(next.searchParams.get('marker')).toBe(first.body.servers[3].id);
    const second = await h.request('GET', next.href);
    expect(names(second)).toEqual([]);
    expect(second.body.servers_links).toBeUndefined();
  });

  it('walks every server page by page with marker, newest first', async () => {
    const all = names(await h.compute('GET', '/servers'));
    const seen: string[] = [];
    let url = `${h.computeRoot}/servers?limit=4`;
    for (let pages = 0; pages < 5 && url; pages++) {
      const page = await h.request('GET', url);
      seen.push(...names(page));
      url = page.body.servers_links?.[0]?.href;
    }
    expect(seen).toEqual(all);
    expect(all).toHaveLength(6);
  });

  it('uses max_limit (1000) when no limit is given: 100 servers, no next link', async () => {
    h.sim.controls.addServers(94);
    const page = await h.compute('GET', '/servers/detail');
    expect(page.body.servers).toHaveLength(100);
    expect(page.body.servers_links).toBeUndefined();
    const full = await h.compute('GET', '/servers/detail?limit=100');
    expect(full.body.servers_links).toHaveLength(1);
    expect(shapeDifferences(page.body, sample('compute-servers-detail-resp.json'), serverAllowances('servers[]'))).toEqual([]);
  });

  it('refuses an unknown marker and a bad limit', async () => {
    const marker = await h.compute('GET', '/servers?marker=nope');
    expect(marker.status).toBe(400);
    expect(marker.body.badRequest.message).toBe('marker [nope] not found');
    const limit = await h.compute('GET', '/servers?limit=ten');
    expect(limit.body).toEqual({ badRequest: { code: 400, message: 'limit param must be an integer' } });
    const negative = await h.compute('GET', '/servers?limit=-1');
    expect(negative.body.badRequest.message).toBe('limit param must be positive');
  });
});

describe('servers list filters', () => {
  const names = async (query: string) => (await h.compute('GET', `/servers?${query}`)).body.servers.map((s: any) => s.name);

  it('name is a regular expression (case-insensitive, as MySQL REGEXP)', async () => {
    expect(await names('name=^web')).toEqual(['web-01']);
    expect(await names('name=-0[1]$')).toEqual(['win-01', 'batch-01', 'db-01', 'web-01']);
    expect(await names('name=WEB')).toEqual(['web-01']);
  });

  it('status: one status; an unknown one gives an empty list', async () => {
    expect(await names('status=SHUTOFF')).toEqual(['batch-01']);
    expect(await names('status=error')).toEqual(['build-failed']);
    expect(await names('status=BOGUS')).toEqual([]);
  });

  it('flavor and image by id; an unknown flavor gives an empty list', async () => {
    const m2 = await h.flavorId('m2.c2m4');
    expect(await names(`flavor=${m2}`)).toEqual(['build-failed', 'web-01']);
    expect(await names('flavor=no-such-flavor')).toEqual([]);
    const rocky = await h.imageId('Rocky Linux 9.4');
    expect(await names(`image=${rocky}`)).toEqual(['db-01']);
  });

  it('changes-since: servers updated since then; a bad value is refused', async () => {
    expect(await names('changes-since=2000-01-01T00:00:00Z')).toHaveLength(6);
    expect(await names('changes-since=2999-01-01')).toEqual([]);
    const bad = await h.compute('GET', '/servers?changes-since=yesterday');
    expect(bad.body).toEqual({ badRequest: { code: 400, message: 'Invalid filter field: changes-since.' } });
  });

  it('changes-since also lists deleted servers, as DELETED', async () => {
    const web = await h.serverNamed('web-01');
    const since = new Date(Date.now() - 1000).toISOString();
    expect((await h.compute('DELETE', `/servers/${web.id}`)).status).toBe(204);
    const changed = (await h.compute('GET', `/servers/detail?changes-since=${since}`)).body.servers;
    expect(changed.map((s: any) => [s.name, s.status])).toEqual([['web-01', 'DELETED']]);
  });

  it('reservation_id: the servers of one create', async () => {
    const created = await h.compute('POST', '/servers', await h.createBody({ return_reservation_id: true, min_count: 2 }));
    expect(await names(`reservation_id=${created.body.reservation_id}`)).toEqual(['app-01-2', 'app-01-1']);
    expect(await names('reservation_id=r-00000000')).toEqual([]);
  });
});
