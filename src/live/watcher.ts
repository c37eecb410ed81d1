// One watcher per (region, project): lists the project's servers once, then polls Nova's
// `changes-since` from a watermark taken from the upstream's own `updated` values (never this
// process's clock) minus an overlap, drops what it has already seen, and publishes CREATED / UPDATED /
// DELETED events. It relists in full every few minutes (informer "resync") to catch what a delta can
// miss: servers that vanish without a DELETED row (build requests, archived rows) and clock skew.
// Nova's semantics it relies on are in live-and-scale.md A.3 and A.5.

import { EventEmitter } from 'node:events';
import { serverStatus } from '../schema/compute/server-mapping.js';
import { UpstreamError } from '../upstream/errors.js';
import type { NovaServer, ServerListPage, ServerListQuery } from '../upstream/types.js';
import { ALL_SERVER_FIELDS, asDeleted, changedFields, contentKey, inTransition, type ServerChangeEvent, updatedMs } from './events.js';
import { toServer } from '../schema/compute/server-mapping.js';

export interface LiveTimings {
  /** Poll interval while a server is in transition or after a mutation woke the watcher. */
  fastIntervalMs: number;
  /** Poll interval when all is quiet. */
  slowIntervalMs: number;
  /** Full relist interval. */
  relistIntervalMs: number;
  /** Subtracted from the watermark: upstream clock skew and same-second writes. */
  overlapMs: number;
  /** How long a wake keeps the watcher on the fast interval. */
  fastAfterWakeMs: number;
  /** Longest wait after repeated upstream failures (the wait doubles from the fast interval, with jitter). */
  maxBackoffMs: number;
  /** `limit` of each list page (Nova's maximum is 1000). */
  pageSize: number;
}

/** What the watcher reads with: the credential of the moment (service account or a proven token). */
export interface WatcherSource {
  listServers(query: ServerListQuery): Promise<ServerListPage>;
  /** null on 404. */
  getServer(id: string): Promise<NovaServer | null>;
}

/** What a mutation tells the watcher about one server. */
export interface WakeHint {
  serverId?: string;
  /**
   * `changed`: something that moves `updated` (actions, rename, metadata): the next delta sees it.
   * `reread`: something that does not (volume attach/detach, addresses): read the server itself.
   * `deleted`: the upstream answered 204 to a delete: the server is gone (a build request leaves no
   * DELETED row, so this may be the only sign of it).
   */
  reason: 'changed' | 'reread' | 'deleted';
}

export interface WatcherStats {
  key: string;
  polls: number;
  relists: number;
  rereads: number;
  failures: number;
  consecutiveFailures: number;
  events: number;
  knownServers: number;
  /** Epoch ms of the last completed poll; null before the first. */
  lastPollAt: number | null;
  /** The upstream's latest `updated` seen (ISO); null before the first list. */
  watermark: string | null;
  fast: boolean;
}

/** Cheap to serialise: enough for another process to continue where this one stopped. */
export interface WatcherSnapshot {
  watermarkMs: number | null;
  lastRelistAt: number;
  known: [string, NovaServer][];
}

interface Known {
  raw: NovaServer;
  key: string;
  /** `updated` (epoch ms, whole seconds) of the last document seen; NaN when unreadable. */
  updatedMs: number;
}

/** Nova takes `YYYY-MM-DDTHH:MM:SSZ`; a `+00:00` would decode to a space in a query string (A.5). */
function changesSinceValue(ms: number): string {
  return new Date(Math.max(0, ms)).toISOString().slice(0, 19) + 'Z';
}

/** The upstream refused the credential itself (401/403), and it is a caller's, not the service account's. */
export function refusal(error: unknown): boolean {
  return error instanceof UpstreamError && error.kind === 'http' && (error.status === 401 || error.status === 403) && !error.serviceAccount;
}

/**
 * Events: 'event' (ServerChangeEvent), 'poll' ({ kind, ms, rows }), 'failure' (Error), 'refused'
 * (the credential was refused: the owner proves its subscribers again), 'ready' (first list done).
 */
export class ProjectWatcher extends EventEmitter {
  private known = new Map<string, Known>();
  private watermarkMs: number | null = null;
  /** True once a first full list was applied (what it showed is the baseline, not news). */
  private listed = false;
  private lastRelistAt = 0;
  private fastUntil = 0;
  /** Servers to read by id on each poll, until they change or the time (epoch ms) passes. */
  private readonly rereads = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private polling = false;
  private wokenWhilePolling = false;
  private consecutiveFailures = 0;
  private readyPromise: Promise<void>;
  private markReady!: () => void;
  private readonly counters = { polls: 0, relists: 0, rereads: 0, failures: 0, events: 0 };
  private lastPollAt: number | null = null;
  /** False while another replica holds the project's lease: this one follows and publishes nothing. */
  private holding = true;
  private sharedMark = '';

  constructor(
    readonly key: string,
    private readonly timings: LiveTimings,
    /** The source to poll with now; null when no credential may poll (the watcher waits). */
    private readonly source: () => WatcherSource | null,
    /** Whether this process holds the project's lease now (see coordinator.ts). */
    private readonly mayPoll: () => Promise<boolean>,
    /** With replicas: where the holder leaves its snapshot and the others read it (see coordinator.ts). */
    private readonly shared?: {
      save(snapshot: WatcherSnapshot): Promise<void>;
      load(always: boolean): Promise<WatcherSnapshot | null>;
      release(): Promise<void>;
    },
  ) {
    super();
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves once the first full list is done (the cache below is then complete). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** The server as last seen, or undefined. */
  current(id: string): NovaServer | undefined {
    return this.known.get(id)?.raw;
  }

  /** A mutation's nudge: poll now and stay fast for a while. */
  wake(hint: WakeHint = { reason: 'changed' }): void {
    this.fastUntil = Date.now() + this.timings.fastAfterWakeMs;
    if (hint.serverId !== undefined) {
      // Only the holder publishes: a follower's DELETED would reach every subscriber a second time.
      if (hint.reason === 'deleted') {
        if (this.holding) this.gone(hint.serverId, new Date().toISOString());
      }
      // Attachments finish after the 202 (Cinder), so one read at once may be too early.
      else if (hint.reason === 'reread') this.rereads.set(hint.serverId, Date.now() + this.timings.fastAfterWakeMs);
    }
    if (!this.running) return;
    if (this.polling) {
      this.wokenWhilePolling = true;
      return;
    }
    this.schedule(0);
  }

  stats(): WatcherStats {
    return {
      key: this.key,
      ...this.counters,
      consecutiveFailures: this.consecutiveFailures,
      knownServers: this.known.size,
      lastPollAt: this.lastPollAt,
      watermark: this.watermarkMs === null ? null : new Date(this.watermarkMs).toISOString(),
      fast: this.wantsFast(Date.now()),
    };
  }

  snapshot(): WatcherSnapshot {
    return { watermarkMs: this.watermarkMs, lastRelistAt: this.lastRelistAt, known: [...this.known].map(([id, k]) => [id, k.raw]) };
  }

  restore(snapshot: WatcherSnapshot): void {
    this.watermarkMs = snapshot.watermarkMs;
    this.lastRelistAt = snapshot.lastRelistAt;
    this.known = new Map(snapshot.known.map(([id, raw]) => [id, { raw, key: contentKey(raw), updatedMs: updatedMs(raw) }]));
    this.listed = true;
    this.markReady();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    // A watcher alone never keeps the process alive (the subscriptions' connections do).
    this.timer.unref();
  }

  private wantsFast(now: number): boolean {
    if (now < this.fastUntil || this.rereads.size > 0) return true;
    for (const { raw } of this.known.values()) if (inTransition(toServer(raw))) return true;
    return false;
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    this.polling = true;
    this.wokenWhilePolling = false;
    let delay: number;
    try {
      // The credential first: a replica without a proven one must not take the lease from one that has.
      const candidate = this.source();
      const source = candidate !== null && (await this.mayPoll()) ? candidate : null;
      if (source === null) {
        // Another process polls this project (or no proven credential exists yet): follow what the
        // holder knows, and look again later. A holder whose last credential went gives the lease up,
        // so that a replica with a proven one can take it.
        if (candidate === null && this.holding) await this.shared?.release();
        this.holding = false;
        const snapshot = await this.shared?.load(false);
        if (snapshot) this.restore(snapshot);
        delay = this.timings.fastIntervalMs;
      } else {
        if (!this.holding && this.shared) {
          // Taking over: continue from the last holder's watermark, so that what changed since its
          // last poll is published by this one's first delta.
          const snapshot = await this.shared.load(true);
          if (snapshot) this.restore(snapshot);
        }
        this.holding = true;
        await this.poll(source);
        await this.share();
        this.consecutiveFailures = 0;
        delay = this.wantsFast(Date.now()) ? this.timings.fastIntervalMs : this.timings.slowIntervalMs;
      }
    } catch (error) {
      this.counters.failures++;
      this.consecutiveFailures++;
      if (refusal(error)) this.emit('refused', error);
      else this.emit('failure', error);
      // Exponential from the fast interval, capped, with full jitter in its upper half: many
      // watchers failing together do not come back together.
      const base = Math.min(this.timings.maxBackoffMs, this.timings.fastIntervalMs * 2 ** Math.min(this.consecutiveFailures, 20));
      delay = base / 2 + Math.random() * (base / 2);
    } finally {
      this.polling = false;
    }
    if (!this.running) return;
    this.schedule(this.wokenWhilePolling ? 0 : delay);
  }

  /** Leaves the snapshot for the other replicas when this poll changed what the watcher knows. */
  private async share(): Promise<void> {
    if (!this.shared) return;
    const mark = `${this.watermarkMs}/${this.counters.events}/${this.counters.relists}/${this.known.size}`;
    if (mark === this.sharedMark) return;
    this.sharedMark = mark;
    await this.shared.save(this.snapshot());
  }

  private async poll(source: WatcherSource): Promise<void> {
    const started = performance.now();
    const now = Date.now();
    const relist = this.watermarkMs === null || now - this.lastRelistAt >= this.timings.relistIntervalMs;
    const since = relist ? undefined : this.watermarkMs! - this.timings.overlapMs;
    const rows = await this.listAll(source, since === undefined ? {} : { 'changes-since': changesSinceValue(since) });
    const observedAt = new Date().toISOString();
    const vanished = this.apply(rows, relist, since === undefined ? undefined : Math.floor(since / 1000) * 1000, observedAt);
    // What the delta should have shown but did not, and what mutations asked for: read each one.
    for (const [id, until] of this.rereads) if (until < now) this.rereads.delete(id);
    for (const id of new Set([...this.rereads.keys(), ...vanished])) {
      this.counters.rereads++;
      const raw = await source.getServer(id);
      const before = this.counters.events;
      if (raw === null) this.gone(id, new Date().toISOString());
      else this.apply([raw], false, undefined, new Date().toISOString());
      if (raw === null || this.counters.events !== before) this.rereads.delete(id);
    }
    if (relist) {
      this.counters.relists++;
      this.lastRelistAt = now;
    }
    this.counters.polls++;
    this.lastPollAt = Date.now();
    this.emit('poll', { kind: relist ? 'relist' : 'delta', ms: performance.now() - started, rows: rows.length });
    this.markReady();
  }

  private async listAll(source: WatcherSource, query: ServerListQuery): Promise<NovaServer[]> {
    const rows: NovaServer[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await source.listServers({ ...query, limit: this.timings.pageSize, ...(marker ? { marker } : {}) });
      rows.push(...page.servers);
      const last = page.servers.at(-1)?.id;
      if (!page.hasNextPage || last === undefined || last === marker) return rows;
      marker = last;
    }
  }

  /**
   * Applies one answer. `complete`: a full relist (what it lacks is gone). `sinceMs`: the delta's
   * changes-since; a known server whose last `updated` is at or after it must be in the answer (its
   * updated_at only grows), so one missing is returned to be read again (404: gone).
   */
  private apply(rows: NovaServer[], complete: boolean, sinceMs: number | undefined, observedAt: string): string[] {
    const first = !this.listed;
    this.listed = true;
    const seen = new Set<string>();
    let newest = this.watermarkMs ?? Number.NEGATIVE_INFINITY;
    for (const raw of rows) {
      if (typeof raw?.id !== 'string') continue;
      const updated = updatedMs(raw);
      if (Number.isFinite(updated)) newest = Math.max(newest, updated);
      if (serverStatus(raw.status) === 'DELETED') {
        // Deleted rows stay in changes-since answers for a while: only the first one is news.
        const known = this.known.get(raw.id);
        if (known) {
          this.known.delete(raw.id);
          this.publish({ kind: 'DELETED', server: raw, changedFields: changedFields(known.raw, raw), observedAt });
        }
        continue;
      }
      seen.add(raw.id);
      const key = contentKey(raw);
      const known = this.known.get(raw.id);
      this.known.set(raw.id, { raw, key, updatedMs: updated });
      if (!known) {
        if (!first) this.publish({ kind: 'CREATED', server: raw, changedFields: ALL_SERVER_FIELDS, observedAt });
      } else if (known.key !== key) {
        this.publish({ kind: 'UPDATED', server: raw, changedFields: changedFields(known.raw, raw), observedAt });
      }
    }
    if (Number.isFinite(newest)) this.watermarkMs = newest;
    const vanished: string[] = [];
    for (const [id, known] of this.known) {
      if (seen.has(id)) continue;
      if (complete) this.gone(id, observedAt);
      else if (sinceMs !== undefined && known.updatedMs >= sinceMs) vanished.push(id);
    }
    return vanished;
  }

  private gone(id: string, at: string): void {
    const known = this.known.get(id);
    if (!known) return;
    this.known.delete(id);
    const raw = asDeleted(known.raw, at);
    this.publish({ kind: 'DELETED', server: raw, changedFields: changedFields(known.raw, raw), observedAt: at });
  }

  private publish(event: ServerChangeEvent): void {
    this.counters.events++;
    this.emit('event', event);
  }
}
