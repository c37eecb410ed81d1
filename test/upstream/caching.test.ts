// Cross-request caches, counted on the simulator: flavors, images (batched), keypairs; TTL expiry,
// single flight, invalidation by the gateway's own mutations, no caching of failures.

import { describe, expect, it } from 'vitest';
import type { ClientCore, Session } from '../../src/upstream/session.js';
import type { UpstreamClient } from '../../src/upstream/types.js';
import { count, delay, rawGet, serviceSession, upstreamError, useSimulator } from './support.js';

const FLAVORS = 'GET compute /flavors/detail';
const FLAVOR = 'GET compute /flavors/{id}';
const KEYPAIRS = 'GET compute /os-keypairs';
const IMAGE_LIST = 'GET image /v2/images';
const IMAGE = 'GET image /v2/images/{id}';
const MISSING_IMAGE = '99999999-9999-4999-8999-999999999999';

const fx = useSimulator();

const readyClient = (env: Record<string, string> = {}) => fx.readyClient({ UPSTREAM_MAX_RETRIES: '0', ...env });

/** Four image ids the tenant can see (read straight from the simulator, log cleared after). */
async function knownImageIds(client: UpstreamClient): Promise<string[]> {
  const { images } = await rawGet<{ images: { id: string }[] }>(fx.sim, client, '/image/v2/images?limit=4');
  fx.sim.controls.resetLog();
  expect(images).toHaveLength(4);
  return images.map((image) => image.id);
}

describe('flavor catalogue', () => {
  it('is fetched once for concurrent and later sessions, and serves filters and single flavors', async () => {
    const client = await readyClient();
    const [all] = await Promise.all(Array.from({ length: 6 }, () => serviceSession(client).compute.listFlavors()));
    expect(all!.length).toBeGreaterThan(1);
    const minRam = all!.map((f) => f.ram ?? 0).sort((a, b) => a - b)[1]!;
    const filtered = await serviceSession(client).compute.listFlavors({ minRam });
    expect(filtered.map((f) => f.id).sort()).toEqual(all!.filter((f) => (f.ram ?? 0) >= minRam).map((f) => f.id).sort());
    expect(await serviceSession(client).compute.getFlavor(all![0]!.id)).toEqual(all![0]);
    expect(count(fx.sim, FLAVORS)).toBe(1);
    expect(count(fx.sim, FLAVOR)).toBe(0);
  });

  it('filters locally exactly as Nova does, boundaries included', async () => {
    const client = await readyClient();
    const all = await serviceSession(client).compute.listFlavors();
    const rams = [...new Set(all.map((f) => f.ram ?? 0))];
    const disks = [...new Set(all.map((f) => f.disk ?? 0))];
    const queries = [
      { minRam: rams[1]!, minDisk: 0 },
      { minRam: 0, minDisk: disks[disks.length - 1]! },
      { minRam: rams[0]!, minDisk: disks[0]! },
    ];
    const local = await Promise.all(queries.map((query) => serviceSession(client).compute.listFlavors(query)));
    expect(count(fx.sim, FLAVORS)).toBe(1);
    for (const [i, query] of queries.entries()) {
      expect(local[i]!.map((f) => f.id).sort()).toEqual((await nativeFilteredFlavors(client, query)).sort());
    }
  });

  it('asks Nova for a single flavor while no catalogue is cached', async () => {
    const client = await readyClient();
    const id = (await serviceSession(fx.client()).compute.listFlavors())[0]!.id;
    fx.sim.controls.resetLog();
    expect((await serviceSession(client).compute.getFlavor(id))?.id).toBe(id);
    expect(await serviceSession(client).compute.getFlavor('no-such-flavor')).toBeNull();
    expect(count(fx.sim, FLAVOR)).toBe(2);
    expect(count(fx.sim, FLAVORS)).toBe(0);
  });

  it('expires after its TTL', async () => {
    const client = await readyClient({ CACHE_FLAVORS_TTL_MS: '30' });
    await serviceSession(client).compute.listFlavors();
    await delay(60);
    await serviceSession(client).compute.listFlavors();
    expect(count(fx.sim, FLAVORS)).toBe(2);
  });

  it('never stores a failed call', async () => {
    const client = await readyClient();
    fx.sim.controls.failNext(FLAVORS, 1, { status: 503 });
    await upstreamError(serviceSession(client).compute.listFlavors());
    await serviceSession(client).compute.listFlavors();
    await serviceSession(client).compute.listFlavors();
    expect(count(fx.sim, FLAVORS)).toBe(2);
  });
});

/** GET /flavors/detail?minRam&minDisk through the simulator's own filter. */
async function nativeFilteredFlavors(client: UpstreamClient, query: { minRam: number; minDisk: number }): Promise<string[]> {
  const path = `/compute/v2/${fx.sim.tenantId}/flavors/detail?minRam=${query.minRam}&minDisk=${query.minDisk}`;
  const body = await rawGet<{ flavors: { id: string }[] }>(fx.sim, client, path);
  return body.flavors.map((f) => f.id);
}

describe('keypairs', () => {
  it('are listed once per TTL and dropped by createKeypair and deleteKeypair', async () => {
    const client = await readyClient();
    await serviceSession(client).compute.listKeypairs();
    await serviceSession(client).compute.listKeypairs();
    expect(count(fx.sim, KEYPAIRS)).toBe(1);

    const created = await serviceSession(client).compute.createKeypair({ name: 'cache-test' });
    expect(created.private_key).toMatch(/PRIVATE KEY/);
    const afterCreate = await serviceSession(client).compute.listKeypairs();
    expect(afterCreate.map((k) => k.name)).toContain('cache-test');
    expect(afterCreate.every((k) => k.private_key === undefined)).toBe(true);
    expect(count(fx.sim, KEYPAIRS)).toBe(2);

    await serviceSession(client).compute.deleteKeypair('cache-test');
    expect((await serviceSession(client).compute.listKeypairs()).map((k) => k.name)).not.toContain('cache-test');
    expect(count(fx.sim, KEYPAIRS)).toBe(3);
  });

  it('never hold a private key: not after a generated create, not even from a list that carries one', async () => {
    const client = await readyClient();
    const session = serviceSession(client) as Session;
    const keypairsCache = (client as unknown as ClientCore).caches.keypairs;
    const privateKey = (await session.compute.createKeypair({ name: 'generated' })).private_key!;
    expect(privateKey).toMatch(/PRIVATE KEY/);
    await serviceSession(client).compute.listKeypairs();
    const cached = keypairsCache.get(session.identityScope, 'all');
    expect(cached?.map((k) => k.name)).toContain('generated');
    expect(JSON.stringify(cached)).not.toContain('PRIVATE KEY');

    // Nova never lists private keys; should a list ever carry one, it is dropped before the cache.
    const listed = await rawGet<{ keypairs: { keypair: Record<string, unknown> }[] }>(fx.sim, client, `/compute/v2/${fx.sim.tenantId}/os-keypairs`);
    for (const { keypair } of listed.keypairs) keypair.private_key = privateKey;
    keypairsCache.invalidate(session.identityScope);
    fx.sim.controls.failNext(KEYPAIRS, 1, { mode: 'body', body: JSON.stringify(listed) });
    const answered = await serviceSession(client).compute.listKeypairs();
    expect(answered.length).toBe(listed.keypairs.length);
    expect(JSON.stringify([answered, keypairsCache.get(session.identityScope, 'all')])).not.toContain('PRIVATE KEY');
  });

  it('are dropped even when the mutation failed (it may have happened)', async () => {
    const client = await readyClient();
    await serviceSession(client).compute.listKeypairs();
    fx.sim.controls.failNext('POST compute /os-keypairs', 1, { status: 503 });
    await upstreamError(serviceSession(client).compute.createKeypair({ name: 'maybe' }));
    await serviceSession(client).compute.listKeypairs();
    expect(count(fx.sim, KEYPAIRS)).toBe(2);
  });
});

describe('images', () => {
  it('are fetched for many ids with one list call, then served from the cache', async () => {
    const client = await readyClient();
    const ids = await knownImageIds(client);
    expect(ids.length).toBeGreaterThan(1);
    const images = await serviceSession(client).image.getImages([...ids, ids[0]!]);
    expect([...images.keys()].sort()).toEqual([...ids].sort());
    expect(count(fx.sim, IMAGE_LIST)).toBe(1);
    expect(count(fx.sim, IMAGE)).toBe(0);

    await serviceSession(client).image.getImages(ids);
    expect((await serviceSession(client).image.getImage(ids[0]!))?.id).toBe(ids[0]);
    expect(count(fx.sim, IMAGE_LIST)).toBe(1);
    expect(count(fx.sim, IMAGE)).toBe(0);
  });

  it('fall back to a per-id GET only for the ids the list did not answer', async () => {
    const client = await readyClient();
    const ids = await knownImageIds(client);
    const images = await serviceSession(client).image.getImages([...ids, MISSING_IMAGE]);
    expect(images.size).toBe(ids.length);
    expect(images.has(MISSING_IMAGE)).toBe(false);
    expect(count(fx.sim, IMAGE_LIST)).toBe(1);
    expect(count(fx.sim, IMAGE)).toBe(1);
  });

  it('only fetch the ids not cached', async () => {
    const client = await readyClient();
    const ids = await knownImageIds(client);
    await serviceSession(client).image.getImage(ids[0]!);
    const images = await serviceSession(client).image.getImages(ids);
    expect(images.size).toBe(4);
    expect(count(fx.sim, IMAGE)).toBe(1);
    expect(count(fx.sim, IMAGE_LIST)).toBe(1);
    const listed = fx.sim.controls.requestLog().find((entry) => entry.route === IMAGE_LIST)!;
    expect(decodeURIComponent(listed.path)).toContain(`id=in:${ids.slice(1).join(',')}`);
  });

  it('are dropped after a createImage action of the same scope', async () => {
    const client = await readyClient();
    const ids = await knownImageIds(client);
    await serviceSession(client).image.getImages(ids);
    // NHN images only U2 servers this way; the seed's dev-u2 is one.
    const { servers } = await serviceSession(client).compute.listServers({ name: '^dev-u2$' }, { detail: false });
    const result = await serviceSession(client).compute.serverAction(servers[0]!.id, { createImage: { name: 'snap' } });
    expect(result.location).toMatch(/\/images\/[0-9a-f-]{36}$/);
    await serviceSession(client).image.getImages(ids);
    expect(count(fx.sim, IMAGE_LIST)).toBe(2);
  });
});
