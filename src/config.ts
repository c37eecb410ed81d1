// The only reader of process.env: every setting is parsed and validated here, once, into one typed
// object. A bad value stops the process at start with a message naming the variable, instead of
// surfacing later as a confusing upstream failure.

export interface UpstreamEndpoints {
  /** Identity root; the gateway adds `/v2.0/tokens`. */
  identityUrl?: string;
  /** Compute root; the gateway adds `/v2/{tenantId}`. */
  computeUrl?: string;
  /** Image root; the gateway adds `/v2/images...`. */
  imageUrl?: string;
  /** Block storage root; the gateway adds `/v2/{tenantId}`. */
  volumeUrl?: string;
  /** Network root; the gateway adds `/v2.0/networks...`. */
  networkUrl?: string;
}

export interface ServiceAccount {
  tenantId: string;
  username: string;
  /** The API password (never logged, never part of an error). */
  apiPassword: string;
}

export interface Config {
  port: number;
  host: string;
  nodeEnv: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  region: string;
  endpoints: UpstreamEndpoints;
  /** Present when NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD are all set. */
  serviceAccount?: ServiceAccount;
  /** True when no upstream is configured: `npm start` then runs the embedded simulator. */
  useEmbeddedSimulator: boolean;
  upstream: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    /** Retries of idempotent (GET) calls on connection errors and 502/503/504. */
    maxRetries: number;
    retryBaseDelayMs: number;
    /** Keep-alive connections per upstream origin. */
    connectionsPerOrigin: number;
    /** Consecutive failures that open a service's circuit breaker. */
    breakerFailureThreshold: number;
    /** How long an open breaker fails fast before it lets one probe through. */
    breakerResetMs: number;
    /** A token is refreshed this many seconds before its `expires`. */
    tokenRefreshMarginSeconds: number;
    /** Largest upstream response body accepted, in bytes. */
    maxResponseBytes: number;
  };
  /** Overall budget of one GraphQL request; upstream calls still running after it are aborted. */
  requestDeadlineMs: number;
  cache: {
    flavorsTtlMs: number;
    imagesTtlMs: number;
    keypairsTtlMs: number;
    /** Most entries kept per cache, across all tenants (least recently used are dropped). */
    maxEntries: number;
  };
  /** Refused before any upstream call (src/limits.ts); over a limit answers QUERY_TOO_COMPLEX. */
  limits: {
    maxDepth: number;
    maxAliases: number;
    /** Lexical tokens of the document, checked while parsing. */
    maxTokens: number;
    /** Objects an operation may ask for, lists counted by their page size (see src/limits.ts). */
    maxCost: number;
    /** Largest `first` of `servers` (BAD_USER_INPUT above it); also Nova's own cap, 1000. */
    maxPageSize: number;
    /** Larger request bodies answer HTTP 413. */
    maxBodyBytes: number;
    /** Operations per batched HTTP request (a JSON array). */
    maxBatchOperations: number;
  };
  graphiql: boolean;
  introspection: boolean;
  /** Path of a JSON file mapping operation hashes to documents; when set, only those may run. */
  persistedOperationsFile?: string;
  /** Origins allowed by CORS; empty means CORS is off (no cross-origin browser access). */
  corsOrigins: string[];
  /** Shared state of several replicas (caches); absent when REDIS_URL is unset: all stays in-process. */
  redis?: RedisSettings;
  /** Prometheus metrics, on a port of their own (src/observability/metrics.ts). */
  metrics: {
    /** undefined: no metrics at all (METRICS_PORT=off); 0 takes a free port. */
    port: number | undefined;
    host: string;
    /** Distinct operation names labelled as themselves (besides persisted ones); later ones are `other`. */
    maxOperationNames: number;
  };
  /** OpenTelemetry traces, from the standard OTEL_* variables; undefined when off. */
  tracing?: TracingConfig;
  /** `pretty` when stdout is a terminal unless LOG_FORMAT says otherwise. */
  logFormat: 'json' | 'pretty';
  /** Live server state: subscriptions and the watcher per (region, project) behind them. */
  live: {
    /** Poll interval while a server is in transition or after a mutation. */
    fastIntervalMs: number;
    /** Poll interval when every server is steady. */
    slowIntervalMs: number;
    /** Full relist interval (what a delta can miss). */
    relistIntervalMs: number;
    /** Subtracted from the upstream watermark for each `changes-since`. */
    overlapMs: number;
    /** How long a mutation keeps its project's watcher on the fast interval. */
    fastAfterMutationMs: number;
    /** A watcher stops this long after its last subscriber left. */
    idleStopMs: number;
    /** Longest wait between polls while the upstream fails. */
    maxBackoffMs: number;
    /** `limit` of each page the watcher reads. */
    pageSize: number;
    /** A pass-through subscriber's token is proven again this often. */
    proofIntervalMs: number;
    /** Open subscriptions in all, and per caller (pass-through token, or client address). */
    maxSubscriptions: number;
    maxSubscriptionsPerCaller: number;
    /** WebSocket ping interval; a socket without a pong by the next ping is closed. */
    keepAliveMs: number;
    /** Addresses of reverse proxies whose X-Forwarded-For names the client; empty: the socket's peer. */
    trustedProxies: string[];
  };
  simulator: {
    port: number;
    host: string;
    tenantId: string;
    username: string;
    apiPassword: string;
    /** Milliseconds a new server stays in BUILD (and an action in its transitional state). */
    buildDelayMs: number;
    seed: number;
  };
}

export interface RedisSettings {
  /** `redis://` or `rediss://` (TLS); may carry a user and password (never logged). */
  url: string;
  /** REDIS_PASSWORD, for a password kept apart from the URL (e.g. its own Secret key). */
  password?: string;
  /** Put before every key and channel, so that several gateways (or other apps) can share one Redis. */
  keyPrefix: string;
  connectTimeoutMs: number;
  /** A command not answered by then fails, and the gateway serves from its own memory. */
  commandTimeoutMs: number;
  /** A project's watcher lease outlives its holder by at most this (another replica then takes over). */
  leaseTtlMs: number;
}

export type TracesSampler =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

export interface TracingConfig {
  /** The full URL spans are POSTed to (…/v1/traces). */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  /** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS: sent to the collector (may hold its credentials). */
  headers: Record<string, string>;
  timeoutMs: number;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  sampler: TracesSampler;
  /** The ratio of the traceidratio samplers, 0..1. */
  samplerRatio: number;
  compression: 'gzip' | 'none';
  /** The batch span processor (OTEL_BSP_*). */
  batch: { scheduleDelayMs: number; exportTimeoutMs: number; maxQueueSize: number; maxExportBatchSize: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function url(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  if (parsed.username || parsed.password) throw new ConfigError(`${name} must not carry credentials`);
  return raw.replace(/\/+$/, '');
}

function redisSettings(env: Env): RedisSettings | undefined {
  const raw = text(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Not echoed: the value may hold a password.
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  if (parsed.pathname !== '' && parsed.pathname !== '/' && !/^\/\d{1,2}$/.test(parsed.pathname)) {
    throw new ConfigError('REDIS_URL may only name a database number as its path (e.g. /0)');
  }
  const keyPrefix = text(env, 'REDIS_KEY_PREFIX') ?? 'nhn-gateway:';
  if (!/^[A-Za-z0-9._:{}-]{1,64}$/.test(keyPrefix)) {
    throw new ConfigError('REDIS_KEY_PREFIX must be 1-64 letters, digits or ._:{}-');
  }
  return {
    url: raw,
    password: env.REDIS_PASSWORD || undefined,
    keyPrefix,
    connectTimeoutMs: integer(env, 'REDIS_CONNECT_TIMEOUT_MS', 2_000, 10, 60_000),
    commandTimeoutMs: integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 500, 10, 60_000),
    leaseTtlMs: integer(env, 'LIVE_LEASE_TTL_MS', 15_000, 100, 600_000),
  };
}

/** W3C Baggage-style `key=value,key=value` (values percent-decoded), as OTEL_* lists are written. */
function keyValues(env: Env, name: string): Record<string, string> {
  const raw = text(env, name);
  const pairs: Record<string, string> = {};
  if (raw === undefined) return pairs;
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    const key = at > 0 ? item.slice(0, at).trim() : '';
    if (key === '') throw new ConfigError(`${name} must be a list of key=value pairs separated by commas`);
    try {
      pairs[key] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      throw new ConfigError(`${name} has a badly encoded value for ${key}`);
    }
  }
  return pairs;
}

const SAMPLERS: readonly TracesSampler[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/**
 * The standard OpenTelemetry SDK variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
 * the traces-specific ones winning over the general ones. No endpoint (or OTEL_SDK_DISABLED,
 * OTEL_TRACES_EXPORTER=none) means no tracing at all.
 */
function tracingConfig(env: Env): TracingConfig | undefined {
  if (flag(env, 'OTEL_SDK_DISABLED', false)) return undefined;
  const exporter = text(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase() ?? 'otlp';
  if (exporter === 'none') return undefined;
  if (exporter !== 'otlp') throw new ConfigError(`OTEL_TRACES_EXPORTER must be otlp or none, got "${exporter}"`);
  const tracesEndpoint = url(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  // The signal-specific endpoint is used as given; the general one gets the signal's path.
  const target = tracesEndpoint ?? (endpoint === undefined ? undefined : `${endpoint}/v1/traces`);
  if (target === undefined) return undefined;

  const protocolName = text(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = text(env, protocolName) ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConfigError(`${protocolName} must be http/protobuf or http/json (grpc is not supported), got "${protocol}"`);
  }
  const timeoutName = text(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT' : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const sampler = (text(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() ?? 'parentbased_always_on') as TracesSampler;
  if (!SAMPLERS.includes(sampler)) throw new ConfigError(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  const ratioText = text(env, 'OTEL_TRACES_SAMPLER_ARG');
  const samplerRatio = ratioText === undefined ? 1 : Number(ratioText);
  if (ratioText !== undefined && (!/^\d*\.?\d+$/.test(ratioText) || samplerRatio > 1)) {
    throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1, got "${ratioText}"`);
  }
  const resourceAttributes = keyValues(env, 'OTEL_RESOURCE_ATTRIBUTES');
  const compressionName = text(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ? 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION' : 'OTEL_EXPORTER_OTLP_COMPRESSION';
  const compression = text(env, compressionName)?.toLowerCase() ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') throw new ConfigError(`${compressionName} must be gzip or none, got "${compression}"`);
  const maxQueueSize = integer(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000);
  return {
    url: target,
    protocol,
    headers: { ...keyValues(env, 'OTEL_EXPORTER_OTLP_HEADERS'), ...keyValues(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') },
    timeoutMs: integer(env, timeoutName, 10_000, 1, 600_000),
    serviceName: text(env, 'OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'nhn-compute-graphql-gateway',
    resourceAttributes,
    sampler,
    samplerRatio,
    compression,
    batch: {
      scheduleDelayMs: integer(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, 0, 600_000),
      exportTimeoutMs: integer(env, 'OTEL_BSP_EXPORT_TIMEOUT', 30_000, 1, 600_000),
      maxQueueSize,
      maxExportBatchSize: integer(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', Math.min(512, maxQueueSize), 1, maxQueueSize),
    },
  };
}

function metricsPort(env: Env): number | undefined {
  if (text(env, 'METRICS_PORT')?.toLowerCase() === 'off') return undefined;
  return integer(env, 'METRICS_PORT', 9464, 0, 65535);
}

function logFormat(env: Env): Config['logFormat'] {
  const raw = text(env, 'LOG_FORMAT')?.toLowerCase();
  if (raw === undefined) return process.stdout.isTTY === true ? 'pretty' : 'json';
  if (raw !== 'json' && raw !== 'pretty') throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${raw}"`);
  return raw;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = text(env, 'NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const endpoints: UpstreamEndpoints = {
    identityUrl: url(env, 'NHN_IDENTITY_URL'),
    computeUrl: url(env, 'NHN_COMPUTE_URL'),
    imageUrl: url(env, 'NHN_IMAGE_URL'),
    volumeUrl: url(env, 'NHN_VOLUME_URL'),
    networkUrl: url(env, 'NHN_NETWORK_URL'),
  };

  const account = {
    tenantId: text(env, 'NHN_TENANT_ID'),
    username: text(env, 'NHN_USERNAME'),
    apiPassword: env.NHN_API_PASSWORD || undefined,
  };
  const accountParts = Object.values(account).filter((v) => v !== undefined).length;
  if (accountParts > 0 && accountParts < 3) {
    throw new ConfigError('NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD must be set together');
  }
  const serviceAccount = accountParts === 3 ? (account as ServiceAccount) : undefined;
  if (serviceAccount && !endpoints.identityUrl) {
    throw new ConfigError('NHN_IDENTITY_URL is required with a service account');
  }

  const useEmbeddedSimulator = !endpoints.identityUrl && !endpoints.computeUrl;
  if (!useEmbeddedSimulator && !serviceAccount) {
    // Pass-through only: without a catalog, every endpoint must be given.
    const missing = (['computeUrl', 'imageUrl', 'volumeUrl'] as const).filter((k) => !endpoints[k]);
    if (missing.length > 0) {
      const names = missing.map((k) => `NHN_${k.replace('Url', '').toUpperCase()}_URL`);
      throw new ConfigError(`pass-through mode without a service account needs ${names.join(', ')}`);
    }
  }

  const corsOrigins = (text(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);

  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: text(env, 'HOST') ?? '0.0.0.0',
    nodeEnv,
    logLevel,
    region: (text(env, 'NHN_REGION') ?? 'KR1').toUpperCase(),
    endpoints,
    serviceAccount,
    useEmbeddedSimulator,
    upstream: {
      connectTimeoutMs: integer(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 3_000, 1, 600_000),
      headersTimeoutMs: integer(env, 'UPSTREAM_HEADERS_TIMEOUT_MS', 10_000, 1, 600_000),
      bodyTimeoutMs: integer(env, 'UPSTREAM_BODY_TIMEOUT_MS', 10_000, 1, 600_000),
      maxRetries: integer(env, 'UPSTREAM_MAX_RETRIES', 2, 0, 5),
      retryBaseDelayMs: integer(env, 'UPSTREAM_RETRY_BASE_DELAY_MS', 100, 0, 60_000),
      connectionsPerOrigin: integer(env, 'UPSTREAM_CONNECTIONS_PER_ORIGIN', 32, 1, 1024),
      breakerFailureThreshold: integer(env, 'UPSTREAM_BREAKER_FAILURES', 5, 1, 1000),
      breakerResetMs: integer(env, 'UPSTREAM_BREAKER_RESET_MS', 10_000, 10, 600_000),
      tokenRefreshMarginSeconds: integer(env, 'TOKEN_REFRESH_MARGIN_SECONDS', 300, 0, 3600),
      maxResponseBytes: integer(env, 'UPSTREAM_MAX_RESPONSE_BYTES', 32 * 1024 * 1024, 1024, 1024 ** 3),
    },
    requestDeadlineMs: integer(env, 'REQUEST_DEADLINE_MS', 30_000, 100, 600_000),
    cache: {
      flavorsTtlMs: integer(env, 'CACHE_FLAVORS_TTL_MS', 300_000, 0, 86_400_000),
      imagesTtlMs: integer(env, 'CACHE_IMAGES_TTL_MS', 300_000, 0, 86_400_000),
      keypairsTtlMs: integer(env, 'CACHE_KEYPAIRS_TTL_MS', 60_000, 0, 86_400_000),
      maxEntries: integer(env, 'CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
    },
    limits: {
      maxDepth: integer(env, 'LIMIT_MAX_DEPTH', 12, 1, 1000),
      maxAliases: integer(env, 'LIMIT_MAX_ALIASES', 30, 0, 10_000),
      maxTokens: integer(env, 'LIMIT_MAX_TOKENS', 3_000, 10, 1_000_000),
      maxCost: integer(env, 'LIMIT_MAX_COST', 10_000, 1, 100_000_000),
      maxPageSize: integer(env, 'LIMIT_MAX_PAGE_SIZE', 1000, 1, 1000),
      maxBodyBytes: integer(env, 'LIMIT_MAX_BODY_BYTES', 1024 * 1024, 1024, 100 * 1024 * 1024),
      maxBatchOperations: integer(env, 'LIMIT_MAX_BATCH', 10, 1, 1000),
    },
    graphiql: flag(env, 'GRAPHIQL', !production),
    introspection: flag(env, 'INTROSPECTION', !production),
    persistedOperationsFile: text(env, 'PERSISTED_OPERATIONS_FILE'),
    corsOrigins,
    redis: redisSettings(env),
    metrics: {
      port: metricsPort(env),
      host: text(env, 'METRICS_HOST') ?? text(env, 'HOST') ?? '0.0.0.0',
      maxOperationNames: integer(env, 'METRICS_MAX_OPERATION_NAMES', 100, 0, 10_000),
    },
    tracing: tracingConfig(env),
    logFormat: logFormat(env),
    live: {
      fastIntervalMs: integer(env, 'LIVE_FAST_INTERVAL_MS', 2_000, 10, 600_000),
      slowIntervalMs: integer(env, 'LIVE_SLOW_INTERVAL_MS', 20_000, 10, 3_600_000),
      relistIntervalMs: integer(env, 'LIVE_RELIST_INTERVAL_MS', 300_000, 10, 86_400_000),
      overlapMs: integer(env, 'LIVE_OVERLAP_MS', 5_000, 0, 3_600_000),
      fastAfterMutationMs: integer(env, 'LIVE_FAST_AFTER_MUTATION_MS', 60_000, 0, 3_600_000),
      idleStopMs: integer(env, 'LIVE_IDLE_STOP_MS', 30_000, 0, 3_600_000),
      maxBackoffMs: integer(env, 'LIVE_MAX_BACKOFF_MS', 60_000, 10, 3_600_000),
      pageSize: integer(env, 'LIVE_PAGE_SIZE', 1000, 1, 1000),
      proofIntervalMs: integer(env, 'LIVE_PROOF_INTERVAL_MS', 60_000, 10, 3_600_000),
      maxSubscriptions: integer(env, 'LIVE_MAX_SUBSCRIPTIONS', 10_000, 0, 1_000_000),
      maxSubscriptionsPerCaller: integer(env, 'LIVE_MAX_SUBSCRIPTIONS_PER_CALLER', 2_000, 0, 1_000_000),
      keepAliveMs: integer(env, 'LIVE_KEEPALIVE_MS', 12_000, 10, 600_000),
      trustedProxies: (text(env, 'TRUSTED_PROXIES') ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    },
    simulator: {
      port: integer(env, 'SIMULATOR_PORT', 5000, 0, 65535),
      host: text(env, 'SIMULATOR_HOST') ?? '127.0.0.1',
      tenantId: text(env, 'SIMULATOR_TENANT_ID') ?? '6cdebe3eb0094910bc41f1d42ebe4cb7',
      username: text(env, 'SIMULATOR_USERNAME') ?? 'demo@example.com',
      apiPassword: env.SIMULATOR_API_PASSWORD || 'demo-api-password',
      buildDelayMs: integer(env, 'SIMULATOR_BUILD_DELAY_MS', 1000, 0, 600_000),
      seed: integer(env, 'SIMULATOR_SEED', 42, 0, 2 ** 31 - 1),
    },
  };
}
