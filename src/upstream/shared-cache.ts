// Where the cross-request caches keep their entries when replicas share them: Redis. Same scopes and
// keys as in memory (region + tenant + caller identity, where a pass-through token only ever appears
// as its hash), same TTLs (Redis expires each entry itself).
//
// Invalidation without scanning: each scope has a generation, part of every entry's key. Dropping a
// scope gives it a new random generation, so its old entries are never read again (they expire on
// their own), and a load that started before the drop writes under the old generation, where nobody
// looks: a replica's answer fetched before another replica's mutation cannot become the cached one.
// Generations are random, never counters: one that expired and came back could not revive old entries.
//
// Key layout (prefix = REDIS_KEY_PREFIX):
//   {prefix}cache:{cache}:gen:{scope}              the scope's generation (absent = "0")
//   {prefix}cache:{cache}:{scope}:{gen}:{key}      one entry, JSON, PX = the cache's TTL

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SharedState } from '../redis.js';

/** What a TtlLruCache needs from a shared store; any failure rejects, and the cache falls back to memory. */
export interface SharedCacheStore {
  /** False while the store cannot be used (e.g. Redis down): the cache then works in memory. */
  readonly usable: boolean;
  /** Calls `listener` when the store is usable again after an outage (memory entries may be stale by then). */
  onRestored(listener: () => void): void;
  /** The scope's generation and the stored JSON of each key that has an entry. */
  read(cache: string, scope: string, keys: readonly string[]): Promise<{ generation: string; found: Map<string, string> }>;
  /** Stores entries under the generation `read` answered (ignored by readers if the scope was dropped since). */
  write(cache: string, scope: string, generation: string, entries: ReadonlyMap<string, string>, ttlMs: number): Promise<void>;
  /** Drops every entry of the scope, for every replica. */
  invalidate(cache: string, scope: string, ttlMs: number): Promise<void>;
}

// KEYS[1] = the generation key; ARGV[1] = the entry key prefix (up to the generation); ARGV[2..] = keys.
const READ_SCRIPT = `
local generation = redis.call('GET', KEYS[1]) or '0'
local result = { generation }
for i = 2, #ARGV do
  result[i] = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[i]) or false
end
return result
`;

/** A generation outlives every entry written under the one before it. */
const GENERATION_MARGIN_MS = 60_000;

type ScriptedRedis = Redis & {
  readCacheEntries(generationKey: string, entryPrefix: string, ...keys: string[]): Promise<(string | null)[]>;
};

export class RedisCacheStore implements SharedCacheStore {
  readonly #redis: ScriptedRedis;
  /** Drops that failed while Redis was away: replayed when it is back, so no replica reads what they dropped. */
  readonly #pendingDrops = new Map<string, { cache: string; scope: string; ttlMs: number }>();

  constructor(private readonly shared: SharedState) {
    shared.client.defineCommand('readCacheEntries', { numberOfKeys: 1, lua: READ_SCRIPT });
    this.#redis = shared.client as ScriptedRedis;
    shared.onChange((up) => {
      if (up) void this.#replayDrops();
    });
  }

  /** Asked once per cache operation: a "no" is an operation served from memory, and counted as such. */
  get usable(): boolean {
    if (this.shared.usable) return true;
    this.shared.servedFromMemory();
    return false;
  }

  onRestored(listener: () => void): void {
    this.shared.onChange((up) => up && listener());
  }

  async read(cache: string, scope: string, keys: readonly string[]) {
    const [generation, ...values] = await this.#guard(
      this.#redis.readCacheEntries(this.#generationKey(cache, scope), this.#entryPrefix(cache, scope), ...keys),
    );
    const found = new Map<string, string>();
    values.forEach((value, index) => typeof value === 'string' && found.set(keys[index]!, value));
    return { generation: generation ?? '0', found };
  }

  async write(cache: string, scope: string, generation: string, entries: ReadonlyMap<string, string>, ttlMs: number): Promise<void> {
    if (entries.size === 0 || ttlMs <= 0) return;
    const pipeline = this.#redis.pipeline();
    const prefix = this.#entryPrefix(cache, scope) + generation + ':';
    for (const [key, json] of entries) pipeline.set(prefix + key, json, 'PX', ttlMs);
    const results = await this.#guard(pipeline.exec());
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw failure;
  }

  async invalidate(cache: string, scope: string, ttlMs: number): Promise<void> {
    const generation = randomBytes(9).toString('base64url');
    try {
      await this.#guard(this.#redis.set(this.#generationKey(cache, scope), generation, 'PX', Math.max(ttlMs, 0) + GENERATION_MARGIN_MS));
      this.#pendingDrops.delete(cache + '\u0000' + scope);
    } catch (error) {
      this.#pendingDrops.set(cache + '\u0000' + scope, { cache, scope, ttlMs });
      throw error;
    }
  }

  async #replayDrops(): Promise<void> {
    const drops = [...this.#pendingDrops.values()];
    for (const { cache, scope, ttlMs } of drops) {
      try {
        await this.invalidate(cache, scope, ttlMs);
      } catch {
        return; // still away: kept for the next time it is back
      }
    }
  }

  /** Reports the outcome to the connection's status (which logs and counts the switches). */
  async #guard<T>(operation: Promise<T>): Promise<T> {
    try {
      const result = await operation;
      this.shared.succeeded();
      return result;
    } catch (error) {
      this.shared.failed(error);
      throw error;
    }
  }

  #generationKey(cache: string, scope: string): string {
    return `${this.shared.keyPrefix}cache:${cache}:gen:${scope}`;
  }

  #entryPrefix(cache: string, scope: string): string {
    return `${this.shared.keyPrefix}cache:${cache}:${scope}:`;
  }
}
