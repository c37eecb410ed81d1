// The live server state of this process: one ProjectWatcher per (region, project), started by the
// first subscriber and stopped a while after the last one left; the pub/sub its events go through;
// who may share a watcher (pass-through tokens proven by the upstream, again and again); and the
// subscription limits. Subscriptions (schema/compute/server-subscriptions.ts) open a LiveSubscription
// here; mutations call `wake`.
//
// Seams for running several replicas: the pub/sub is Yoga's `createPubSub` (pass one built on
// `@graphql-yoga/redis-event-target`), `coordinator` decides which process polls a project, and
// `wake` is the one entry point mutations use (a replica without the lease would publish it).

import { EventEmitter, setMaxListeners } from 'node:events';
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { gatewayError } from '../schema/errors.js';
import type { GraphQLError } from '../schema/graphql.js';
import { tokenHash } from '../upstream/session.js';
import type { Caller, NovaServer, UpstreamClient, UpstreamSession } from '../upstream/types.js';
import { inProcessCoordinator, type WatcherCoordinator } from './coordinator.js';
import type { LiveMessage, ServerChangeEvent } from './events.js';
import { ProjectWatcher, refusal, type LiveTimings, type WakeHint, type WatcherSource, type WatcherStats } from './watcher.js';

export const LIVE_TOPIC = 'live:servers';
/** A mutation's wake-up, for the replica whose watcher polls the project (wherever that is). */
export const WAKE_TOPIC = 'live:wake';
export type LivePubSub = PubSub<{ [LIVE_TOPIC]: [key: string, message: LiveMessage]; [WAKE_TOPIC]: [wake: { key: string; hint: WakeHint }] }>;

/** Who opens a subscription: the request's caller and the client's address (for per-caller limits). */
export interface Subscriber {
  caller: Caller;
  clientAddress: string;
  /** The subscription field (`server`, `serverChanges`): a bounded label for metrics. */
  subscription: string;
}

export interface LiveSubscription {
  /** Region/project key of the watcher it joined. */
  readonly key: string;
  /** Every message of the project, from now on (the caller filters). */
  readonly messages: AsyncIterableIterator<LiveMessage>;
  /** Resolves with the error that must end this subscription (its token was refused). */
  readonly ended: Promise<GraphQLError>;
  /** The server as the watcher last saw it (after its first list), or null when it does not know it. */
  current(id: string): Promise<NovaServer | null>;
  /** Prove this subscriber's token again now (after the watcher's poll was refused). */
  recheck(): void;
  close(): void;
}

interface Credential {
  caller: Extract<Caller, { kind: 'passthrough' }>;
  key: string;
  hash: string;
  provenAt: number;
  checking?: Promise<void>;
  timer?: NodeJS.Timeout;
  members: Set<Member>;
}

interface Member {
  subscription: string;
  credential?: Credential;
  end(error: GraphQLError): void;
}

interface Project {
  key: string;
  tenantId: string;
  watcher: ProjectWatcher;
  members: Set<Member>;
  credentials: Map<string, Credential>;
  stopTimer?: NodeJS.Timeout;
}

export interface LiveOptions {
  config: Config;
  upstream: UpstreamClient;
  logger: Logger;
  pubSub?: LivePubSub;
  coordinator?: WatcherCoordinator;
  /** Replicas: mutations' wake-ups go through the pub/sub to whichever replica polls the project. */
  wakeEverywhere?: boolean;
}

export interface LiveStats {
  subscriptions: number;
  watchers: WatcherStats[];
}

/** Every subscriber of a project listens on its topic: thousands of listeners are expected, not a leak. */
function unboundedEventTarget() {
  const target = new EventTarget();
  setMaxListeners(0, target);
  return target as unknown as NonNullable<Parameters<typeof createPubSub>[0]>['eventTarget'];
}

/**
 * Events for metrics (none carries a token): 'subscribed' / 'unsubscribed' ({ key, subscription }), 'poll'
 * ({ key, kind, ms, rows }), 'event' ({ key, event }), 'failure' ({ key, error }), 'watcher-started' /
 * 'watcher-stopped' ({ key }), 'proof' ({ key, accepted }).
 */
export class LiveServers extends EventEmitter {
  readonly pubSub: LivePubSub;
  private readonly coordinator: WatcherCoordinator;
  private readonly projects = new Map<string, Project>();
  private readonly perCaller = new Map<string, number>();
  private total = 0;
  private readonly timings: LiveTimings;
  private wakes: AsyncIterableIterator<{ key: string; hint: WakeHint }> | undefined;

  constructor(private readonly options: LiveOptions) {
    super();
    this.pubSub = options.pubSub ?? (createPubSub({ eventTarget: unboundedEventTarget() }) as LivePubSub);
    this.coordinator = options.coordinator ?? inProcessCoordinator;
    if (options.wakeEverywhere) {
      // Every replica hears every wake-up; the one whose watcher holds the project's lease acts on it.
      this.wakes = this.pubSub.subscribe(WAKE_TOPIC);
      void (async () => {
        for await (const { key, hint } of this.wakes!) {
          const project = this.projects.get(key);
          if (project === undefined) continue;
          this.options.logger.debug('live watcher woken by a mutation', { key, reason: hint.reason });
          project.watcher.wake(hint);
        }
      })();
    }
    const live = options.config.live;
    this.timings = {
      fastIntervalMs: live.fastIntervalMs,
      slowIntervalMs: live.slowIntervalMs,
      relistIntervalMs: live.relistIntervalMs,
      overlapMs: live.overlapMs,
      fastAfterWakeMs: live.fastAfterMutationMs,
      maxBackoffMs: live.maxBackoffMs,
      pageSize: live.pageSize,
    };
  }

  /** The watcher key of a project: one per (region, project). */
  keyOf(tenantId: string): string {
    return `${this.options.config.region}/${tenantId}`;
  }

  private tenantOf(caller: Caller): string {
    if (caller.kind === 'passthrough') return caller.tenantId;
    return this.options.config.serviceAccount!.tenantId;
  }

  /**
   * Opens a subscription: limits first, then (pass-through) one upstream call that proves the
   * caller's token for its project, then the project's watcher. Throws a coded GraphQLError or the
   * UpstreamError of the refused proof.
   */
  async open(subscriber: Subscriber): Promise<LiveSubscription> {
    const { caller } = subscriber;
    const callerKey = caller.kind === 'passthrough' ? `token:${tokenHash(caller.token)}` : `address:${subscriber.clientAddress}`;
    const { maxSubscriptions, maxSubscriptionsPerCaller } = this.options.config.live;
    if (this.total >= maxSubscriptions) {
      throw gatewayError('TOO_MANY_SUBSCRIPTIONS', `This gateway has ${maxSubscriptions} subscriptions open, its limit; retry later.`, { limit: 'total' });
    }
    if ((this.perCaller.get(callerKey) ?? 0) >= maxSubscriptionsPerCaller) {
      throw gatewayError('TOO_MANY_SUBSCRIPTIONS', `At most ${maxSubscriptionsPerCaller} subscriptions may be open per caller; close one first.`, {
        limit: 'perCaller',
      });
    }
    // Counted before the proof, so that a burst cannot pass the limit while proofs are in flight.
    this.total++;
    this.perCaller.set(callerKey, (this.perCaller.get(callerKey) ?? 0) + 1);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      this.total--;
      const left = (this.perCaller.get(callerKey) ?? 1) - 1;
      if (left <= 0) this.perCaller.delete(callerKey);
      else this.perCaller.set(callerKey, left);
    };

    try {
      const tenantId = this.tenantOf(caller);
      const key = this.keyOf(tenantId);
      if (caller.kind === 'passthrough') await this.prove(caller, key);
      return this.join(key, tenantId, subscriber, uncount);
    } catch (error) {
      uncount();
      throw error;
    }
  }

  /** One cheap call with the caller's own token (GET /servers?limit=1): accepted or thrown. */
  private async prove(caller: Extract<Caller, { kind: 'passthrough' }>, key: string): Promise<void> {
    try {
      await this.sessionFor(caller).compute.listServers({ limit: 1 }, { detail: false });
      this.emit('proof', { key, accepted: true });
    } catch (error) {
      this.emit('proof', { key, accepted: !refusal(error) });
      throw error;
    }
  }

  private sessionFor(caller: Caller): UpstreamSession {
    const ms = this.options.config.requestDeadlineMs;
    return this.options.upstream.session(caller, { signal: AbortSignal.timeout(ms), deadline: Date.now() + ms });
  }

  private join(key: string, tenantId: string, { caller, subscription }: Subscriber, uncount: () => void): LiveSubscription {
    const project = this.project(key, tenantId);
    clearTimeout(project.stopTimer);
    project.stopTimer = undefined;

    let endWith!: (error: GraphQLError) => void;
    const ended = new Promise<GraphQLError>((resolve) => (endWith = resolve));
    const member: Member = { subscription, end: (error) => endWith(error) };
    if (caller.kind === 'passthrough') {
      const hash = tokenHash(caller.token);
      let credential = project.credentials.get(hash);
      if (!credential) {
        credential = { caller, key, hash, provenAt: Date.now(), members: new Set() };
        project.credentials.set(hash, credential);
        this.scheduleProof(project, credential);
      }
      credential.members.add(member);
      member.credential = credential;
    }
    project.members.add(member);
    this.emit('subscribed', { key, subscription });
    // A new credential may be what a waiting watcher needed.
    if (project.members.size === 1 || caller.kind === 'passthrough') project.watcher.start();

    const messages = this.pubSub.subscribe(LIVE_TOPIC, key) as AsyncIterableIterator<LiveMessage>;
    let closed = false;
    return {
      key,
      messages,
      ended,
      current: async (id) => {
        await project.watcher.ready();
        return project.watcher.current(id) ?? null;
      },
      recheck: () => {
        if (member.credential) void this.recheck(project, member.credential);
      },
      close: () => {
        if (closed) return;
        closed = true;
        uncount();
        void messages.return?.();
        this.leave(project, member);
      },
    };
  }

  private project(key: string, tenantId: string): Project {
    const existing = this.projects.get(key);
    if (existing) return existing;
    const project: Project = { key, tenantId, members: new Set(), credentials: new Map(), watcher: undefined as unknown as ProjectWatcher };
    project.watcher = new ProjectWatcher(
      key,
      this.timings,
      () => this.sourceFor(project),
      () => this.coordinator.mayPoll(key),
      this.coordinator.saveSnapshot && this.coordinator.loadSnapshot
        ? {
            save: (snapshot) => this.coordinator.saveSnapshot!(key, snapshot),
            load: (always) => this.coordinator.loadSnapshot!(key, always),
            release: () => this.coordinator.release(key),
          }
        : undefined,
    );
    project.watcher.on('event', (event: ServerChangeEvent) => {
      this.emit('event', { key, event });
      void this.pubSub.publish(LIVE_TOPIC, key, { type: 'change', event });
    });
    project.watcher.on('poll', (poll: { kind: string; ms: number; rows: number }) => this.emit('poll', { key, ...poll }));
    project.watcher.on('failure', (error: unknown) => {
      this.emit('failure', { key, error });
      this.options.logger.debug('live watcher poll failed', { key, error: error instanceof Error ? error.message : String(error) });
    });
    project.watcher.on('refused', () => {
      // The credential it polled with no longer works: every pass-through subscriber proves its own
      // token again (here and, through the pub/sub, in other processes), and the next poll takes a
      // credential that is still proven.
      for (const credential of project.credentials.values()) void this.recheck(project, credential);
      void this.pubSub.publish(LIVE_TOPIC, key, { type: 'recheck' });
    });
    this.projects.set(key, project);
    this.emit('watcher-started', { key });
    return project;
  }

  /**
   * The service account for its own project; otherwise the most recently proven token of a current
   * subscriber (never one of a subscriber who left: its credential is dropped with its last member).
   */
  private sourceFor(project: Project): WatcherSource | null {
    const account = this.options.config.serviceAccount;
    let caller: Caller | undefined;
    if (account && account.tenantId === project.tenantId) caller = { kind: 'service' };
    else {
      let best: Credential | undefined;
      for (const credential of project.credentials.values()) {
        if (credential.checking === undefined && (!best || credential.provenAt > best.provenAt)) best = credential;
      }
      caller = best?.caller;
    }
    if (!caller) return null;
    const session = this.sessionFor(caller);
    return {
      listServers: (query) => session.compute.listServers(query),
      getServer: (id) => session.compute.getServer(id),
    };
  }

  private scheduleProof(project: Project, credential: Credential): void {
    clearTimeout(credential.timer);
    credential.timer = setTimeout(() => void this.recheck(project, credential), this.options.config.live.proofIntervalMs);
    credential.timer.unref();
  }

  /** Proves a token again (one call per token, however many subscriptions share it); refused ends them. */
  private recheck(project: Project, credential: Credential): Promise<void> {
    if (credential.checking) return credential.checking;
    credential.checking = (async () => {
      try {
        await this.prove(credential.caller, project.key);
        credential.provenAt = Date.now();
      } catch (error) {
        if (!refusal(error)) return; // an outage proves nothing either way: keep the subscription
        const ending = gatewayError('UNAUTHENTICATED', 'The upstream no longer accepts this token; subscribe again with a valid one.');
        for (const member of [...credential.members]) member.end(ending);
        project.credentials.delete(credential.hash);
        clearTimeout(credential.timer);
        return;
      } finally {
        credential.checking = undefined;
      }
      if (project.credentials.get(credential.hash) === credential) this.scheduleProof(project, credential);
    })();
    return credential.checking;
  }

  private leave(project: Project, member: Member): void {
    project.members.delete(member);
    this.emit('unsubscribed', { key: project.key, subscription: member.subscription });
    const credential = member.credential;
    if (credential) {
      credential.members.delete(member);
      if (credential.members.size === 0) {
        clearTimeout(credential.timer);
        project.credentials.delete(credential.hash);
      }
    }
    if (project.members.size > 0) return;
    project.stopTimer = setTimeout(() => this.stopProject(project), this.options.config.live.idleStopMs);
    project.stopTimer.unref();
  }

  private stopProject(project: Project): void {
    if (project.members.size > 0 || this.projects.get(project.key) !== project) return;
    project.watcher.stop();
    project.watcher.removeAllListeners();
    this.projects.delete(project.key);
    void this.coordinator.release(project.key);
    this.emit('watcher-stopped', { key: project.key });
  }

  /**
   * What every mutation on a server calls once the upstream accepted it: the project's watcher polls
   * at once and stays fast for a while (see WakeHint for the reasons). Without a watcher (nobody
   * subscribed to that project) it does nothing.
   */
  wake(tenantId: string, hint: WakeHint): void {
    const key = this.keyOf(tenantId);
    if (this.options.wakeEverywhere) void this.pubSub.publish(WAKE_TOPIC, { key, hint });
    else this.projects.get(key)?.watcher.wake(hint);
  }

  stats(): LiveStats {
    return { subscriptions: this.total, watchers: [...this.projects.values()].map((p) => p.watcher.stats()) };
  }

  /** Stops every watcher and proof timer (shutdown); open subscriptions are the transports' to end. */
  close(): void {
    for (const project of this.projects.values()) {
      clearTimeout(project.stopTimer);
      for (const credential of project.credentials.values()) clearTimeout(credential.timer);
      project.watcher.stop();
    }
    this.projects.clear();
    void this.wakes?.return?.();
    // Leases go at once: another replica takes the projects over without waiting for their TTL.
    void this.coordinator.close?.();
  }
}
