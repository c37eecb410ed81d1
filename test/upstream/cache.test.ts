// TtlLruCache with a hand-driven clock: expiry, LRU bound, scopes, single flight, no caching of
// failures, and invalidation during a load.

import { describe, expect, it } from 'vitest';
import { TtlLruCache } from '../../src/upstream/cache.js';

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TtlLruCache', () => {
  it('serves a loaded value until its TTL passes', async () => {
    const time = clock();
    const cache = new TtlLruCache<string>(100, 10, time.now);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.load('s', 'k', load)).toBe('v1');
    time.advance(99);
    expect(await cache.load('s', 'k', load)).toBe('v1');
    time.advance(1);
    expect(await cache.load('s', 'k', load)).toBe('v2');
    expect(loads).toBe(2);
  });

  it('keeps scopes apart and drops only the invalidated one', async () => {
    const cache = new TtlLruCache<string>(1_000, 10);
    await cache.load('a', 'k', async () => 'A');
    await cache.load('b', 'k', async () => 'B');
    cache.invalidate('a');
    expect(cache.get('a', 'k')).toBeUndefined();
    expect(cache.get('b', 'k')).toBe('B');
  });

  it('drops the least recently used entry beyond its bound', async () => {
    const cache = new TtlLruCache<string>(1_000, 2);
    await cache.load('s', '1', async () => 'one');
    await cache.load('s', '2', async () => 'two');
    cache.get('s', '1');
    await cache.load('s', '3', async () => 'three');
    expect(cache.size).toBe(2);
    expect(cache.get('s', '2')).toBeUndefined();
    expect(cache.get('s', '1')).toBe('one');
  });

  it('shares one load between concurrent misses and stores neither failures nor undefined', async () => {
    const cache = new TtlLruCache<string>(1_000, 10);
    let loads = 0;
    const failing = async () => {
      loads++;
      throw new Error('boom');
    };
    const results = await Promise.allSettled([cache.load('s', 'k', failing), cache.load('s', 'k', failing)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    expect(await cache.load('s', 'k', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not store what a load answered when the scope was invalidated meanwhile', async () => {
    const cache = new TtlLruCache<string>(1_000, 10);
    let release!: (value: string) => void;
    const pending = cache.load('s', 'k', () => new Promise<string>((resolve) => (release = resolve)));
    cache.invalidate('s');
    release('stale');
    expect(await pending).toBe('stale');
    expect(cache.get('s', 'k')).toBeUndefined();
  });

  it('loads many keys with one call for the misses and joins loads already running', async () => {
    const cache = new TtlLruCache<string>(1_000, 10);
    await cache.load('s', 'cached', async () => 'C');
    let release!: (value: string) => void;
    void cache.load('s', 'running', () => new Promise<string>((resolve) => (release = resolve)));
    const calls: string[][] = [];
    const many = cache.loadMany('s', ['cached', 'running', 'a', 'b', 'a', 'gone'], async (missing) => {
      calls.push(missing);
      return new Map([
        ['a', 'A'],
        ['b', 'B'],
      ]);
    });
    release('R');
    expect(await many).toEqual(
      new Map([
        ['cached', 'C'],
        ['running', 'R'],
        ['a', 'A'],
        ['b', 'B'],
      ]),
    );
    expect(calls).toEqual([['a', 'b', 'gone']]);
    expect(cache.get('s', 'b')).toBe('B');
    expect(cache.get('s', 'gone')).toBeUndefined();
  });

  it('stores nothing when the TTL is 0', async () => {
    const cache = new TtlLruCache<string>(0, 10);
    await cache.load('s', 'k', async () => 'v');
    expect(cache.size).toBe(0);
  });

  it('serves a value still in a passing state to its waiters but does not store it', async () => {
    const cache = new TtlLruCache<{ status: string }>(1_000, 10, Date.now, (value) => value.status === 'active');
    let loads = 0;
    let status = 'queued';
    const load = async () => {
      loads++;
      return { status };
    };
    const [first, second] = await Promise.all([cache.load('s', 'k', load), cache.load('s', 'k', load)]);
    expect([first?.status, second?.status, loads]).toEqual(['queued', 'queued', 1]);
    expect(cache.get('s', 'k')).toBeUndefined();
    status = 'active';
    expect((await cache.load('s', 'k', load))?.status).toBe('active');
    expect((await cache.load('s', 'k', load))?.status).toBe('active');
    expect(loads).toBe(2);
    const many = await cache.loadMany('s', ['q'], async () => new Map([['q', { status: 'saving' }]]));
    expect(many.get('q')?.status).toBe('saving');
    expect(cache.get('s', 'q')).toBeUndefined();
  });
});
