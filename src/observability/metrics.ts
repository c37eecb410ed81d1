// The gateway's Prometheus instruments, in a registry of their own per gateway instance (never
// prom-client's global one: two gateways in one process must not add up). Every label value is
// bounded: services, methods, route templates, status codes, error codes and cache names come from the
// code; operation names come from callers and pass through OperationNames first.
//
// The instruments are one typed object handed to whoever records: the Yoga plugin (operations), the
// upstream transport (calls, retries, breakers), the token holder, the caches, and the live-status
// watcher (subscriptions, polls, lag).

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** OpenTelemetry's advised HTTP duration buckets (semconv http-metrics), in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Prefix of every gateway metric (the process metrics keep prom-client's standard names). */
export const METRIC_PREFIX = 'nhn_gateway_';

export type BreakerStateValue = 'closed' | 'half-open' | 'open';
const BREAKER_STATE_NUMBER: Record<BreakerStateValue, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface GatewayMetrics {
  readonly registry: Registry;
  /** One GraphQL request at /graphql, from arrival to response. */
  readonly operationDuration: Histogram<'operation_name' | 'operation_type'>;
  /** Each error of an answer, by its `extensions.code`. */
  readonly operationErrors: Counter<'operation_name' | 'operation_type' | 'code'>;
  /** Each HTTP request to NHN (a retry is a request of its own). */
  readonly upstreamDuration: Histogram<'service' | 'operation' | 'method' | 'status_code' | 'error_type'>;
  readonly upstreamRetries: Counter<'service' | 'operation' | 'method'>;
  readonly breakerOpenings: Counter<'service'>;
  readonly breakerState: Gauge<'service'>;
  /** Keystone tokens: `issue` for callers (the issueToken mutation), `refresh` for the service account. */
  readonly tokens: Counter<'kind' | 'outcome'>;
  readonly cacheLookups: Counter<'cache' | 'result'>;
  /** Open live-status subscriptions (inc on subscribe, dec when the stream ends). */
  readonly subscriptionsOpen: Gauge<'subscription'>;
  /** One poll of NHN by a project's watcher; outcome `success` or `failure`. */
  readonly watcherPolls: Counter<'outcome'>;
  /** From a change upstream (its `updated` time) to the event the watcher published, in seconds. */
  readonly watcherLag: Histogram<string>;
  /** Operation names as labels: the allowed ones, then `other`. */
  readonly operationNames: OperationNames;
  /** The breakers' states are read at scrape time from here (set by the upstream client). */
  readBreakerStates?: () => Iterable<[service: string, state: BreakerStateValue]>;
  /**
   * The caches' lookup counts, read at scrape time (set by the upstream client): a warm page looks up
   * a hundred images, and plain counters there cost nothing next to a labelled increment each.
   */
  readCacheLookups?: () => Iterable<[cache: string, hits: number, misses: number]>;
  /** 1 while caches (and live state) are shared through Redis; 0 while Redis is away or REDIS_URL unset. */
  readonly redisUp: Gauge;
  readonly redisOutages: Counter;
  /** Cache operations served from this replica's memory because Redis was unavailable or failed. */
  readonly redisFallbacks: Counter;
  /** The Redis connection's state, read at scrape time (set by main.ts when REDIS_URL is set). */
  readSharedState?: () => { up: boolean; outages: number; fallbacks: number };
  /** The exposition text (for /metrics). */
  scrape(): Promise<string>;
}

export interface MetricsOptions {
  /** Names labelled as themselves whatever their number: the persisted operations' names. */
  allowedOperationNames?: Iterable<string>;
  /** Further distinct names labelled as themselves, first come first labelled; then `other`. */
  maxOperationNames: number;
  /** prom-client's process metrics (CPU, memory, event loop lag, GC...). */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const name = (suffix: string) => METRIC_PREFIX + suffix;

  const metrics: GatewayMetrics = {
    registry,
    operationNames: new OperationNames(options.maxOperationNames, options.allowedOperationNames),
    operationDuration: new Histogram({
      name: name('graphql_operation_duration_seconds'),
      help: 'GraphQL requests at /graphql, from arrival to response, by operation name (bounded, see README) and type',
      labelNames: ['operation_name', 'operation_type'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    operationErrors: new Counter({
      name: name('graphql_operation_errors_total'),
      help: 'Errors in GraphQL answers, by extensions.code',
      labelNames: ['operation_name', 'operation_type', 'code'],
      registers,
    }),
    upstreamDuration: new Histogram({
      name: name('upstream_request_duration_seconds'),
      help: 'HTTP requests to NHN Cloud (each retry counted), by service, route template, method and status code',
      labelNames: ['service', 'operation', 'method', 'status_code', 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    upstreamRetries: new Counter({
      name: name('upstream_retries_total'),
      help: 'Retries of upstream GETs (connection errors, 502, 503, 504)',
      labelNames: ['service', 'operation', 'method'],
      registers,
    }),
    breakerOpenings: new Counter({
      name: name('upstream_breaker_openings_total'),
      help: 'Times a service circuit breaker opened (calls to the service then fail fast)',
      labelNames: ['service'],
      registers,
    }),
    breakerState: new Gauge({
      name: name('upstream_breaker_state'),
      help: 'Circuit breaker state per service: 0 closed, 1 half-open (one probe), 2 open (failing fast)',
      labelNames: ['service'],
      registers,
      collect() {
        for (const [service, state] of metrics.readBreakerStates?.() ?? []) this.set({ service }, BREAKER_STATE_NUMBER[state]);
      },
    }),
    tokens: new Counter({
      name: name('tokens_total'),
      help: 'Keystone tokens requested: kind issue (issueToken for a caller) or refresh (the service account), by outcome',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    cacheLookups: new Counter({
      name: name('cache_lookups_total'),
      help: 'Cross-request cache lookups by cache (flavors, images, keypairs) and result (hit, miss)',
      labelNames: ['cache', 'result'],
      registers,
      collect() {
        const counts = metrics.readCacheLookups?.();
        if (counts === undefined) return;
        this.reset();
        for (const [cache, hits, misses] of counts) {
          if (hits > 0) this.inc({ cache, result: 'hit' }, hits);
          if (misses > 0) this.inc({ cache, result: 'miss' }, misses);
        }
      },
    }),
    subscriptionsOpen: new Gauge({
      name: name('subscriptions_open'),
      help: 'Live-status subscriptions currently open',
      labelNames: ['subscription'],
      registers,
    }),
    watcherPolls: new Counter({
      name: name('watcher_polls_total'),
      help: 'Polls of NHN by the live-status watchers, by outcome (success, failure)',
      labelNames: ['outcome'],
      registers,
    }),
    watcherLag: new Histogram({
      name: name('watcher_lag_seconds'),
      help: 'From a change in NHN (its updated time) to the event published to subscribers',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    }),
    redisUp: new Gauge({
      name: name('redis_up'),
      help: "1 while the replicas' shared state goes through Redis; 0 while Redis is unavailable (each replica then serves from its own memory) or REDIS_URL is unset",
      registers,
      collect() {
        this.set(metrics.readSharedState?.().up ? 1 : 0);
      },
    }),
    redisOutages: new Counter({
      name: name('redis_outages_total'),
      help: 'Times Redis became unavailable to this replica (it then served from its own memory until Redis was back)',
      registers,
      collect() {
        const state = metrics.readSharedState?.();
        if (state === undefined) return;
        this.reset();
        this.inc(state.outages);
      },
    }),
    redisFallbacks: new Counter({
      name: name('redis_fallbacks_total'),
      help: "Cache and pub/sub operations served from this replica's memory because Redis was unavailable or failed",
      registers,
      collect() {
        const state = metrics.readSharedState?.();
        if (state === undefined) return;
        this.reset();
        this.inc(state.fallbacks);
      },
    }),
    scrape: () => registry.metrics(),
  };
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return metrics;
}

/** The label of operations sent without a name. */
export const ANONYMOUS = 'anonymous';
/** The label of every name past the allowance. */
export const OTHER = 'other';
const NAME_SHAPE = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * Caller-chosen operation names, bounded: the allowed names, then the first `max` distinct others,
 * then `other`. A name that is not a GraphQL name (or longer than 100) is `other` at once.
 */
export class OperationNames {
  readonly #labelled = new Set<string>();
  #extra = 0;

  constructor(
    private readonly max: number,
    allowed: Iterable<string> = [],
  ) {
    this.allow(allowed);
  }

  /** Names labelled as themselves whatever their number (persisted operations). */
  allow(names: Iterable<string>): void {
    for (const name of names) if (NAME_SHAPE.test(name)) this.#labelled.add(name);
  }

  label(name: string | null | undefined): string {
    if (name === null || name === undefined || name === '') return ANONYMOUS;
    if (this.#labelled.has(name)) return name;
    if (this.#extra >= this.max || !NAME_SHAPE.test(name) || name === OTHER || name === ANONYMOUS) return OTHER;
    this.#extra++;
    this.#labelled.add(name);
    return name;
  }
}

/** A caller's operation name when it is a GraphQL name (at most 100 characters), else undefined. */
export function wellFormedName(name: string | null | undefined): string | undefined {
  return name !== null && name !== undefined && NAME_SHAPE.test(name) ? name : undefined;
}

/** An extensions.code as a label: codes are written by the code, but a plugin's odd one stays bounded. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,49}$/.test(code) ? code : 'UNCODED';
}
