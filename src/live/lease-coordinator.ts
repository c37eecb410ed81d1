// One watcher per project across all replicas: a lease in Redis (`SET key token NX PX ttl`) decides
// which replica polls; the holder renews it every third of its TTL, and when the holder dies the lease
// expires and the next replica that looks (every fast interval) takes it. The holder also leaves a
// snapshot of what it knows (watermark and servers) in Redis after each poll that changed it: the
// next holder continues from there (its first delta publishes what happened in between: a resync at
// most), and the other replicas answer `current(id)` from it without polling.
//
// While Redis is unusable every replica holds every lease it wants (local watchers), as with one
// process; once Redis is back the replicas compete again and all but one return to following.
//
// Keys: {prefix}live:lease:{project} (the holder's random token), {prefix}live:snapshot:{project}
// (hash: v = version, s = JSON).

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SharedState } from '../redis.js';

// 2: acquired now, 1: renewed (already ours), 0: another replica holds it.
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 2
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

// The snapshot only when its version differs from the one the caller has.
const READ_SNAPSHOT = `
local version = redis.call('HGET', KEYS[1], 'v')
if not version or version == ARGV[1] then return { version or false } end
return { version, redis.call('HGET', KEYS[1], 's') }
`;

type ScriptedRedis = Redis & {
  acquireLease(key: string, token: string, ttlMs: number): Promise<number>;
  releaseLease(key: string, token: string): Promise<number>;
  readSnapshot(key: string, knownVersion: string): Promise<[string | null, string?]>;
};

export interface LeaseOptions {
  /** How long a lease outlives its holder's last renewal. */
  leaseTtlMs: number;
  /** How long a snapshot is kept after its last write (the relist interval is a good value). */
  snapshotTtlMs: number;
}

export class RedisLeaseCoordinator<Snapshot = unknown> {
  /** This process's identity in every lease it holds. */
  readonly #token = randomBytes(12).toString('base64url');
  readonly #redis: ScriptedRedis;
  readonly #held = new Set<string>();
  readonly #seenVersions = new Map<string, string>();
  readonly #renewal: NodeJS.Timeout;

  constructor(
    private readonly shared: SharedState,
    private readonly options: LeaseOptions,
  ) {
    shared.client.defineCommand('acquireLease', { numberOfKeys: 1, lua: ACQUIRE });
    shared.client.defineCommand('releaseLease', { numberOfKeys: 1, lua: RELEASE });
    shared.client.defineCommand('readSnapshot', { numberOfKeys: 1, lua: READ_SNAPSHOT });
    this.#redis = shared.client as ScriptedRedis;
    this.#renewal = setInterval(() => void this.#renewAll(), Math.max(10, Math.floor(options.leaseTtlMs / 3)));
    this.#renewal.unref();
  }

  /** Whether this process should poll the project now: it holds (or just took) the lease, or Redis is away. */
  async mayPoll(key: string): Promise<boolean> {
    if (!this.shared.usable) return true;
    try {
      const result = await this.#redis.acquireLease(this.#leaseKey(key), this.#token, this.options.leaseTtlMs);
      this.shared.succeeded();
      if (result > 0) this.#held.add(key);
      else this.#held.delete(key);
      return result > 0;
    } catch (error) {
      this.shared.failed(error);
      return true;
    }
  }

  /** Gives the lease up at once (the last subscriber left, or shutdown): another replica need not wait for the TTL. */
  async release(key: string): Promise<void> {
    this.#held.delete(key);
    this.#seenVersions.delete(key);
    if (!this.shared.usable) return;
    await this.#redis.releaseLease(this.#leaseKey(key), this.#token).then(
      () => this.shared.succeeded(),
      (error: unknown) => this.shared.failed(error),
    );
  }

  holds(key: string): boolean {
    return this.#held.has(key);
  }

  /** The holder's snapshot after a poll that changed what it knows. Failures only cost the next holder a resync. */
  async saveSnapshot(key: string, snapshot: Snapshot): Promise<void> {
    if (!this.shared.usable) return;
    const version = randomBytes(9).toString('base64url');
    try {
      await this.#redis
        .multi()
        .hset(this.#snapshotKey(key), 'v', version, 's', JSON.stringify(snapshot))
        .pexpire(this.#snapshotKey(key), this.options.snapshotTtlMs)
        .exec();
      this.#seenVersions.set(key, version);
      this.shared.succeeded();
    } catch (error) {
      this.shared.failed(error);
    }
  }

  /** The latest snapshot if it is newer than the last one this process saved or read (`always`: even if not). */
  async loadSnapshot(key: string, always = false): Promise<Snapshot | null> {
    if (!this.shared.usable) return null;
    try {
      const known = always ? '' : (this.#seenVersions.get(key) ?? '');
      const [version, json] = await this.#redis.readSnapshot(this.#snapshotKey(key), known);
      this.shared.succeeded();
      if (version === null || json === undefined) return null;
      this.#seenVersions.set(key, version);
      return JSON.parse(json) as Snapshot;
    } catch (error) {
      this.shared.failed(error);
      return null;
    }
  }

  /** Releases every lease this process holds (shutdown) and stops renewing. */
  async close(): Promise<void> {
    clearInterval(this.#renewal);
    await Promise.all([...this.#held].map((key) => this.release(key)));
  }

  async #renewAll(): Promise<void> {
    if (!this.shared.usable || this.#held.size === 0) return;
    for (const key of [...this.#held]) await this.mayPoll(key);
  }

  #leaseKey(key: string): string {
    return `${this.shared.keyPrefix}live:lease:${key}`;
  }

  #snapshotKey(key: string): string {
    return `${this.shared.keyPrefix}live:snapshot:${key}`;
  }
}
