// TtlLruCache over a real Redis, as two replicas see it (two caches, two connections): entries one
// fills the other reads, a drop reaches both, a load that began before another replica's drop is not
// what anyone reads afterwards, Redis expires entries by the cache's TTL, and a Redis that dies mid
// flight costs nothing but sharing (memory takes over; drops made meanwhile are replayed once it is back).

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { SharedState } from '../../src/redis.js';
import { TtlLruCache } from '../../src/upstream/cache.js';
import { RedisCacheStore } from '../../src/upstream/shared-cache.js';
import { eventually } from '../helpers/gateway.js';
import { haveTools, type RedisServer, startRedis } from '../helpers/replicas.js';

if (haveTools('redis-server')) {
  describe('caches shared through Redis', () => {
    let redis: RedisServer;
    const connections: SharedState[] = [];
    const lines: string[] = [];

    beforeAll(async () => {
      redis = await startRedis();
    });
    afterEach(async () => {
      await Promise.all(connections.splice(0).map((c) => c.close()));
      lines.length = 0;
    });
    afterAll(() => redis?.close());

    async function replica<V>(ttlMs = 60_000, name = 'things', isSettled?: (value: V) => boolean): Promise<{ cache: TtlLruCache<V>; shared: SharedState }> {
      const settings = loadConfig({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'unit:', REDIS_COMMAND_TIMEOUT_MS: '200' }).redis!;
      const shared = new SharedState(settings, createLogger('info', (line) => lines.push(line)));
      connections.push(shared);
      await shared.connected();
      return { cache: new TtlLruCache<V>(ttlMs, 100, Date.now, isSettled).share(new RedisCacheStore(shared), name), shared };
    }

    const never = async (): Promise<string> => {
      throw new Error('must not load');
    };

    test('one replica fills, the other reads; concurrent misses on one replica share one load', async () => {
      const [a, b] = [await replica<string>(), await replica<string>()];
      let loads = 0;
      const load = async () => {
        loads++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return 'catalogue';
      };
      const values = await Promise.all([a.cache.load('KR1/t1/service', 'all', load), a.cache.load('KR1/t1/service', 'all', load)]);
      expect(values).toEqual(['catalogue', 'catalogue']);
      expect(loads).toBe(1);
      expect(await b.cache.load('KR1/t1/service', 'all', never)).toBe('catalogue');
      expect(await b.cache.peek('KR1/t1/service', 'all')).toBe('catalogue');
      // Another scope is another entry.
      expect(await b.cache.peek('KR1/t2/service', 'all')).toBeUndefined();
      // Nothing was kept in memory while Redis served.
      expect(a.cache.size + b.cache.size).toBe(0);
    });

    test('loadMany: keys another replica stored cost nothing, the rest one call', async () => {
      const [a, b] = [await replica<{ id: string }>(), await replica<{ id: string }>()];
      const scope = 'KR1/many/service';
      await a.cache.loadMany(scope, ['i1', 'i2'], async (missing) => new Map(missing.map((id) => [id, { id }])));
      const asked: string[][] = [];
      const found = await b.cache.loadMany(scope, ['i1', 'i2', 'i3', 'gone'], async (missing) => {
        asked.push(missing);
        return new Map(missing.filter((id) => id !== 'gone').map((id) => [id, { id }]));
      });
      expect(asked).toEqual([['i3', 'gone']]);
      expect([...found.keys()].sort()).toEqual(['i1', 'i2', 'i3']);
      // "Not found" is never stored: asked again.
      await a.cache.loadMany(scope, ['gone'], async (missing) => {
        asked.push(missing);
        return new Map();
      });
      expect(asked).toEqual([['i3', 'gone'], ['gone']]);
    });

    test("a drop on one replica is seen by the other, and a load that began before it is not what anyone reads", async () => {
      const [a, b] = [await replica<string>(), await replica<string>()];
      const scope = 'KR1/drop/service';
      await a.cache.load(scope, 'k', async () => 'old');
      b.cache.invalidate(scope);
      await eventually(async () => (await a.cache.peek(scope, 'k')) === undefined);
      expect(await a.cache.peek(scope, 'k')).toBeUndefined();

      // Replica A loads (slowly); meanwhile replica B's mutation drops the scope.
      let release!: (value: string) => void;
      const slow = a.cache.load(scope, 'k', () => new Promise<string>((resolve) => (release = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 20)); // A has read the generation
      b.cache.invalidate(scope);
      await new Promise((resolve) => setTimeout(resolve, 20));
      release('fetched before the mutation');
      expect(await slow).toBe('fetched before the mutation'); // its own caller still gets it
      expect(await b.cache.load(scope, 'k', async () => 'after')).toBe('after');
      expect(await a.cache.peek(scope, 'k')).toBe('after');
    });

    test('a record in a passing state is handed over but not stored in Redis either', async () => {
      const settled = (image: { status: string }) => image.status === 'active';
      const [a, b] = [await replica<{ status: string }>(60_000, 'images', settled), await replica<{ status: string }>(60_000, 'images', settled)];
      const scope = 'KR1/passing/service';
      expect(await a.cache.load(scope, 'img', async () => ({ status: 'saving' }))).toEqual({ status: 'saving' });
      expect(await b.cache.peek(scope, 'img')).toBeUndefined();
      await b.cache.loadMany(scope, ['img'], async () => new Map([['img', { status: 'active' }]]));
      expect(await a.cache.peek(scope, 'img')).toEqual({ status: 'active' });
    });

    test('Redis expires entries by the cache TTL', async () => {
      const a = await replica<string>(150);
      await a.cache.load('KR1/ttl/service', 'k', async () => 'v');
      const key = [...(await redis.dump()).keys()].find((k) => k.startsWith('unit:things:') || k.includes(':KR1/ttl/service:'))!;
      expect(key).toMatch(/^unit:cache:things:KR1\/ttl\/service:0:k$/);
      const pttl = await redis.client().pttl(key);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(150);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await a.cache.peek('KR1/ttl/service', 'k')).toBeUndefined();
    });

    test('Redis dies: loads go on from memory (said once per replica, counted), sharing resumes once it is back', async () => {
      const [a, b] = [await replica<string>(), await replica<string>()];
      const scope = 'KR1/outage/service';
      await a.cache.load(scope, 'k', async () => 'before');
      await redis.kill();
      let loads = 0;
      const load = async () => `during-${++loads}`;
      // The first call finds Redis gone and loads; the next ones use memory.
      expect(await a.cache.load(scope, 'k', load)).toBe('during-1');
      expect(await a.cache.load(scope, 'k', load)).toMatch(/^during-/);
      expect(await a.cache.load(scope, 'k', load)).toMatch(/^during-/);
      expect(loads).toBeLessThanOrEqual(2);
      expect(a.shared.status()).toMatchObject({ up: false, outages: 1 });
      expect(a.shared.status().fallbacks).toBeGreaterThan(0);
      // While Redis is away, B's mutation drops the scope (it cannot reach Redis yet).
      b.cache.invalidate(scope);
      // Once per replica (B notices when its connection closes or its drop fails, whichever comes first).
      const warnings = () => lines.filter((line) => line.includes('Redis unreachable')).length;
      expect(await eventually(() => warnings() === 2)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(warnings()).toBe(2);

      // (A restarted test Redis is empty; the next test covers a drop replayed onto a surviving entry.)
      await redis.start();
      expect(await eventually(() => a.shared.status().up && b.shared.status().up)).toBe(true);
      expect(lines.filter((line) => line.includes('reachable again'))).toHaveLength(2);
      // Memory entries were dropped on the way back: Redis is the truth again.
      expect(a.cache.size).toBe(0);
      expect(await a.cache.load(scope, 'k', async () => 'after')).toBe('after');
      expect(await b.cache.peek(scope, 'k')).toBe('after');
    });

    test('a drop made while Redis was away is replayed when it is back, so a surviving entry is not read', async () => {
      const [a, b] = [await replica<string>(), await replica<string>()];
      const scope = 'KR1/replay/service';
      await a.cache.load(scope, 'k', async () => 'stale once B mutates');
      // Redis unreachable for B only: its connection is cut and cannot come back until we let it.
      b.shared.client.disconnect(false);
      await eventually(() => !b.shared.status().up);
      b.cache.invalidate(scope);
      expect(await a.cache.peek(scope, 'k')).toBe('stale once B mutates'); // B could not drop it yet
      await b.shared.client.connect();
      expect(await eventually(async () => (await a.cache.peek(scope, 'k')) === undefined)).toBe(true);
    });
  });
}
