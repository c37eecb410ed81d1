// A small TTL + LRU cache for data that changes rarely and is asked for on almost every request
// (the flavor catalogue, image metadata, keypairs). Entries live in a scope (region + tenant + caller
// identity), so one caller's data is never served to another and the gateway's own mutations can drop
// exactly what they made stale. Concurrent misses for one key share one upstream call; failed calls
// and "not found" answers are never stored.
//
// Cached values are shared between requests: callers must treat them as read-only.
//
// Only settled records are stored. A record in a passing state (an image `queued` or `saving`, a
// volume `creating`) changes within seconds, so keeping it for the TTL would show the passing state
// long after the upstream moved on: such answers are handed to whoever waits for the load, and the
// next request asks the upstream again. Each cache says what "settled" means for its kind.
//
// With `share(store, name)` (REDIS_URL) the entries live in the shared store instead, so every
// replica reads what any one of them fetched; in-flight calls are still shared only within this
// process. While the store is unusable the cache works in memory as without it, and drops those
// entries when the store is back (another replica may have changed what they describe meanwhile).

import type { SharedCacheStore } from './shared-cache.js';

interface Entry<V> {
  value: V;
  expiresAt: number;
  scope: string;
}

interface Flight<V> {
  promise: Promise<V | undefined>;
  scope: string;
  /** Set when the scope was invalidated while the call ran: its answer may predate the mutation. */
  stale: boolean;
  /** False when the shared store keeps the answer (or the answer came from it). */
  keepInMemory: boolean;
}

const SEPARATOR = '\u0000';

export class TtlLruCache<V> {
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used first.
  readonly #entries = new Map<string, Entry<V>>();
  readonly #keysByScope = new Map<string, Set<string>>();
  readonly #flights = new Map<string, Flight<V>>();
  #shared: { store: SharedCacheStore; name: string } | undefined;
  /** Told whether each lookup found a fresh value (metrics). */
  onLookup?: (hit: boolean) => void;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    /** Whether a value may be kept for the TTL; a value still changing is served once, not stored. */
    private readonly isSettled: (value: V) => boolean = () => true,
  ) {}

  /** Keeps the entries in `store` (under `name`) whenever it is usable. */
  share(store: SharedCacheStore, name: string): this {
    this.#shared = { store, name };
    store.onRestored(() => this.#clearEntries());
    return this;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The fresh value for this key, or undefined; also asks the shared store, without loading anything. */
  async peek(scope: string, key: string): Promise<V | undefined> {
    const shared = this.#sharedStore();
    if (shared === undefined) return this.get(scope, key);
    try {
      const { found } = await shared.store.read(shared.name, scope, [key]);
      const json = found.get(key);
      return json === undefined ? undefined : (JSON.parse(json) as V);
    } catch {
      return this.get(scope, key);
    }
  }

  /** The fresh value for this key in this process's memory, or undefined. */
  get(scope: string, key: string): V | undefined {
    const fullKey = scope + SEPARATOR + key;
    const entry = this.#entries.get(fullKey);
    if (entry === undefined) {
      this.onLookup?.(false);
      return undefined;
    }
    if (entry.expiresAt <= this.now()) {
      this.#delete(fullKey, entry);
      this.onLookup?.(false);
      return undefined;
    }
    this.onLookup?.(true);
    this.#entries.delete(fullKey);
    this.#entries.set(fullKey, entry);
    return entry.value;
  }

  /**
   * The cached value, or the value `load` answers (stored unless it is undefined). Callers asking for
   * the same key while a load runs share it.
   */
  load(scope: string, key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const shared = this.#sharedStore();
    if (shared !== undefined) {
      const fullKey = scope + SEPARATOR + key;
      const loadOne = async (): Promise<Map<string, V>> => {
        const value = await load();
        return value === undefined ? new Map() : new Map([[key, value]]);
      };
      const promise = this.#flights.get(fullKey)?.promise;
      return promise ?? this.#fly(scope, fullKey, this.#loadShared(shared, scope, [key], loadOne).then((values) => values.get(key)), false);
    }
    const hit = this.get(scope, key);
    if (hit !== undefined) return Promise.resolve(hit);
    const fullKey = scope + SEPARATOR + key;
    return this.#flights.get(fullKey)?.promise ?? this.#fly(scope, fullKey, load());
  }

  /**
   * The values for these keys: cached ones, ones already being loaded, and the rest from ONE call of
   * `loadMissing` (which answers only the keys it found).
   */
  async loadMany(
    scope: string,
    keys: readonly string[],
    loadMissing: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    const shared = this.#sharedStore();
    if (shared !== undefined) return this.#loadManyShared(shared, scope, keys, loadMissing);
    const found = new Map<string, V>();
    const pending: Promise<unknown>[] = [];
    let missing: Set<string> | undefined;
    for (const key of keys) {
      if (found.has(key) || missing?.has(key)) continue;
      const hit = this.get(scope, key);
      if (hit !== undefined) {
        found.set(key, hit);
        continue;
      }
      const flight = this.#flights.get(scope + SEPARATOR + key);
      if (flight === undefined) (missing ??= new Set()).add(key);
      else pending.push(flight.promise.then((value) => value !== undefined && found.set(key, value)));
    }
    if (missing !== undefined) {
      const batch = loadMissing([...missing]);
      for (const key of missing) {
        this.#fly(scope, scope + SEPARATOR + key, batch.then((values) => values.get(key)));
      }
      pending.push(batch.then((values) => values.forEach((value, key) => found.set(key, value))));
    }
    if (pending.length > 0) await Promise.all(pending);
    return found;
  }

  /** Drops every entry of the scope, and keeps loads still running for it from storing their answer. */
  invalidate(scope: string): void {
    const shared = this.#shared;
    // Even while the store is away: it replays the drop once it is back.
    if (shared !== undefined) shared.store.invalidate(shared.name, scope, this.ttlMs).catch(() => {});
    const keys = this.#keysByScope.get(scope);
    if (keys !== undefined) {
      for (const fullKey of keys) this.#entries.delete(fullKey);
      this.#keysByScope.delete(scope);
    }
    for (const [fullKey, flight] of this.#flights) {
      if (flight.scope !== scope) continue;
      flight.stale = true;
      this.#flights.delete(fullKey);
    }
  }

  /** Forgets this process's entries and flights (the shared store is left as it is). */
  clear(): void {
    this.#clearEntries();
    for (const flight of this.#flights.values()) flight.stale = true;
    this.#flights.clear();
  }

  #clearEntries(): void {
    this.#entries.clear();
    this.#keysByScope.clear();
  }

  #sharedStore(): { store: SharedCacheStore; name: string } | undefined {
    return this.#shared?.store.usable ? this.#shared : undefined;
  }

  /**
   * From the shared store, and the keys it lacks from ONE `loadMissing` call, stored there for every
   * replica. Should the store fail, `loadMissing` answers all of them and nothing is stored: the next
   * request finds the store unusable and caches in memory.
   */
  async #loadShared(
    shared: { store: SharedCacheStore; name: string },
    scope: string,
    keys: readonly string[],
    loadMissing: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    let stored: Awaited<ReturnType<SharedCacheStore['read']>>;
    try {
      stored = await shared.store.read(shared.name, scope, keys);
    } catch {
      return loadMissing([...keys]);
    }
    const values = new Map<string, V>();
    for (const [key, json] of stored.found) values.set(key, JSON.parse(json) as V);
    const missing = keys.filter((key) => !values.has(key));
    if (this.onLookup !== undefined) for (const key of keys) this.onLookup(values.has(key));
    if (missing.length === 0) return values;
    const loaded = await loadMissing(missing);
    const entries = new Map<string, string>();
    for (const [key, value] of loaded) {
      values.set(key, value);
      if (this.isSettled(value)) entries.set(key, JSON.stringify(value));
    }
    await shared.store.write(shared.name, scope, stored.generation, entries, this.ttlMs).catch(() => {});
    return values;
  }

  async #loadManyShared(
    shared: { store: SharedCacheStore; name: string },
    scope: string,
    keys: readonly string[],
    loadMissing: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    const found = new Map<string, V>();
    const pending: Promise<unknown>[] = [];
    const unknown = new Set<string>();
    for (const key of keys) {
      if (unknown.has(key)) continue;
      const flight = this.#flights.get(scope + SEPARATOR + key);
      if (flight === undefined) unknown.add(key);
      else pending.push(flight.promise.then((value) => value !== undefined && found.set(key, value)));
    }
    if (unknown.size > 0) {
      const batch = this.#loadShared(shared, scope, [...unknown], loadMissing);
      for (const key of unknown) {
        this.#fly(scope, scope + SEPARATOR + key, batch.then((values) => values.get(key)), false);
      }
      pending.push(batch.then((values) => values.forEach((value, key) => found.set(key, value))));
    }
    if (pending.length > 0) await Promise.all(pending);
    return found;
  }

  #fly(scope: string, fullKey: string, promise: Promise<V | undefined>, keepInMemory = true): Promise<V | undefined> {
    const flight: Flight<V> = { promise, scope, stale: false, keepInMemory };
    this.#flights.set(fullKey, flight);
    const land = (value: V | undefined): void => {
      if (this.#flights.get(fullKey) === flight) this.#flights.delete(fullKey);
      if (value !== undefined && !flight.stale && flight.keepInMemory) this.#set(scope, fullKey, value);
    };
    promise.then(land, () => land(undefined));
    return promise;
  }

  #set(scope: string, fullKey: string, value: V): void {
    if (this.ttlMs <= 0 || !this.isSettled(value)) return;
    const previous = this.#entries.get(fullKey);
    if (previous !== undefined) this.#entries.delete(fullKey);
    this.#entries.set(fullKey, { value, expiresAt: this.now() + this.ttlMs, scope });
    let keys = this.#keysByScope.get(scope);
    if (keys === undefined) this.#keysByScope.set(scope, (keys = new Set()));
    keys.add(fullKey);
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#delete(oldest, this.#entries.get(oldest)!);
    }
  }

  #delete(fullKey: string, entry: Entry<V>): void {
    this.#entries.delete(fullKey);
    const keys = this.#keysByScope.get(entry.scope);
    if (keys === undefined) return;
    keys.delete(fullKey);
    if (keys.size === 0) this.#keysByScope.delete(entry.scope);
  }
}
