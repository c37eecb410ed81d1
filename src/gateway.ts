// createGateway: the Yoga instance (no listening here; tests call `yoga.fetch`, main.ts serves it on
// node:http). It decides who each request acts as, gives it a deadline and an upstream session, and
// puts the HTTP-level protections in front of the schema: body size, batching, CSRF, CORS, query
// depth/cost limits, persisted operations, introspection switch, error masking, health and readiness.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { contextCacheSymbol } from '@pothos/core';
import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import { createYoga, type GraphiQLOptions, isAsyncIterable, type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Config } from './config.js';
import { useOperationLimits } from './limits.js';
import { createLogger, type Logger } from './log.js';
import type { Observability } from './observability/index.js';
import { type RequestState, useObservability } from './observability/plugin.js';
import type { Context } from './schema/builder.js';
import { gatewayError, isRequestInputError, toClientError, withoutVariableValues } from './schema/errors.js';
import { getOperationAST, Kind, NoSchemaIntrospectionCustomRule, parse } from './schema/graphql.js';
import { CHOICES_QUERY, type DemoAccount, exampleTabs, pickChoices } from './schema/examples.js';
import { schema } from './schema/index.js';
import { UpstreamError } from './upstream/errors.js';
import { clientAddressOf } from './live/client-address.js';
import { LiveServers } from './live/registry.js';
import { measureLive } from './observability/live.js';
import type { Caller, UpstreamClient, UpstreamSession } from './upstream/types.js';

export interface GatewayOptions {
  config: Config;
  upstream: UpstreamClient;
  logger?: Logger;
  /** The embedded simulator's demo account, prefilled in the GraphiQL token example. */
  demoAccount?: DemoAccount;
  /** Metrics and tracing: the same object the upstream client was created with. */
  observability?: Pick<Observability, 'metrics' | 'tracing'>;
  /** Live server state (default: one for this process, in-process pub/sub and coordinator). */
  live?: LiveServers;
}

export interface Gateway {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, Context>>;
  /** From now on /ready answers 503 (graceful shutdown: load balancers stop sending traffic). */
  beginShutdown(): void;
  /** The watchers and subscriptions of this process. */
  live: LiveServers;
}

/** Header pass-through: both headers act as that caller; neither acts as the service account. */
function callerFrom(headers: Headers, config: Pick<Config, 'serviceAccount'>): Caller | null {
  const token = headers.get('x-auth-token')?.trim();
  const tenantId = headers.get('x-tenant-id')?.trim();
  if (token && tenantId) return { kind: 'passthrough', token, tenantId };
  if (token || tenantId) {
    throw gatewayError('UNAUTHENTICATED', 'Send X-Auth-Token and X-Tenant-Id together, or neither to act as the gateway.', {
      http: { status: 401 },
    });
  }
  return config.serviceAccount ? { kind: 'service' } : null;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** What Yoga's node adapter (and the WebSocket transport) pass beside the request. */
export interface ServerContext {
  req?: { socket?: { remoteAddress?: string } };
}

function createContext(request: Request, options: GatewayOptions, state: RequestState, live: LiveServers, server: ServerContext): Context {
  const { config, upstream } = options;
  const caller = callerFrom(request.headers, config);
  let signal = AbortSignal.timeout(config.requestDeadlineMs);
  let deadline = Date.now() + config.requestDeadlineMs;
  let session: UpstreamSession | undefined;
  const context: Context = {
    caller,
    get signal() {
      return signal;
    },
    requestId: state.requestId,
    limits: { maxPageSize: config.limits.maxPageSize },
    issueToken: (input) => upstream.issueToken(input, { telemetry: state }),
    session() {
      if (caller === null) {
        throw gatewayError('UNAUTHENTICATED', 'Send X-Auth-Token and X-Tenant-Id: this gateway has no service account.');
      }
      session ??= upstream.session(caller, { signal, deadline, telemetry: state });
      return session;
    },
    live,
    clientAddress: clientAddressOf(server.req?.socket?.remoteAddress, request.headers.get('x-forwarded-for'), config.live.trustedProxies),
    renewForEvent() {
      signal = AbortSignal.timeout(config.requestDeadlineMs);
      deadline = Date.now() + config.requestDeadlineMs;
      session = undefined;
      // Pothos keys every per-request cache (DataLoaders, context caches) by this object when present.
      (context as unknown as Record<symbol, unknown>)[contextCacheSymbol] = {};
    },
  };
  return context;
}

// Browsers send "simple" requests cross-site without a CORS preflight. Refuse those (GET, or POST
// with a form/text content type) unless they carry a header a simple request cannot have, so a
// page on another site cannot make a user's browser run operations here. JSON POSTs pass.
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const CSRF_HEADER = 'x-graphql-csrf';

function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      const preflighted = type !== undefined && type !== '' && !SIMPLE_CONTENT_TYPES.includes(type);
      if (preflighted || request.headers.has(CSRF_HEADER)) return;
      throw gatewayError('FORBIDDEN', `Send a JSON POST, or the ${CSRF_HEADER} header with GET and form posts.`, {
        http: { status: 403 },
      });
    },
  };
}

/**
 * CORS headers for the listed origins only. (Given the list itself, Yoga answers any other origin
 * with the first listed one, or "null": harmless to a browser, but a reader of the headers should not
 * have to know that.)
 */
function corsFor(origins: readonly string[]) {
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !origins.includes(origin)) return false as const;
    return {
      origin: [origin],
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'x-auth-token', 'x-tenant-id', 'x-request-id', CSRF_HEADER],
      credentials: false,
    };
  };
}

/** Request errors never quote the request's variables back (see withoutVariableValues). */
function useVariableValuesUnquoted(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result) || result.errors === undefined) return;
          setResult({ ...result, errors: result.errors.map((error) => withoutVariableValues(error, args.variableValues)) });
        },
      };
    },
  };
}

/**
 * Empties the operation's DataLoaders as soon as it has run. Pothos keeps them in a WeakMap keyed by
 * the context, and V8's young-generation GC (Node 20) keeps WeakMap values alive: each page of servers
 * a loader held (the parsed upstream body behind it) was promoted to the old generation and stayed
 * there until the next full GC, which doubled the GC time of a servers page and its peak RSS under
 * load (issue #4). Emptied, the request's data dies young like any other garbage. (The loaders' last
 * batches are let go of by LOADER_OPTIONS in schema/loaders.ts, for the same reason.)
 */
function useLoadersReleased(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) clearAllDataLoaders(args.contextValue);
        },
      };
    },
  };
}

function useIntrospectionSwitch(enabled: boolean): Plugin {
  return {
    onValidate({ addValidationRule }) {
      if (!enabled) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * Yoga's logger. Yoga logs every error that masking replaced: an upstream failure is an expected
 * outcome (debug; warn when the upstream itself failed), anything else is a bug (error). Only names,
 * codes and messages are written: never bodies, headers or variables.
 */
function yogaLogger(logger: Logger) {
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(' ');
  return {
    debug: (...args: unknown[]) => logger.debug(text(args)),
    info: (...args: unknown[]) => logger.info(text(args)),
    warn: (...args: unknown[]) => logger.warn(text(args)),
    error: (...args: unknown[]) => {
      // Its message quotes the variable's value (a password, maybe): never logged.
      if (isRequestInputError(args[0])) return logger.debug('request refused: invalid variables');
      const original: unknown = args[0] instanceof Error ? (args[0] as { originalError?: unknown }).originalError : undefined;
      if (!(original instanceof UpstreamError)) return logger.error('unexpected error', { error: text(args) });
      const fields = { service: original.service, kind: original.kind, status: original.status, requestId: original.requestId };
      // A refused service account stops every request until an operator acts: that is an error here.
      const refused = original.kind === 'http' && (original.status ?? 0) < 500;
      if (original.serviceAccount && refused) return logger.error('service account sign-in failed', { ...fields, message: original.message });
      (refused ? logger.debug : logger.warn)('upstream error', { ...fields, message: original.message });
    },
  };
}

/** Only the listed operations run; the refusals say what to send instead, with a code. */
function usePersistedOnly(operations: Record<string, string>): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (key: string) => (Object.hasOwn(operations, key) ? operations[key]! : null),
    customErrors: {
      persistedQueryOnly: {
        message: 'This gateway runs persisted operations only: send extensions.persistedQuery.sha256Hash of a listed operation, without a query.',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
      notFound: {
        message: 'No persisted operation has this sha256Hash.',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
      },
      keyNotFound: {
        message: 'Send extensions.persistedQuery.sha256Hash of a listed operation.',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
      },
    },
  });
}

/** The names of the persisted operations: labelled in metrics whatever their number. */
function operationNamesOf(operations: Record<string, string>): string[] {
  const names: string[] = [];
  for (const document of Object.values(operations)) {
    try {
      for (const definition of parse(document).definitions) {
        if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.push(definition.name.value);
      }
    } catch {
      // A document that does not parse fails when it is run, with its own error.
    }
  }
  return names;
}

function loadPersistedOperations(file: string): Record<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (parsed === null || typeof parsed !== 'object' || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`${file} must be a JSON object of operation hash -> document`);
  }
  return parsed as Record<string, string>;
}

// ---- GraphiQL ------------------------------------------------------------------------------------

const GRAPHIQL_TTL_MS = 10 * 60_000;
const INTERNAL_URL = 'http://gateway.internal/graphql';

/**
 * GraphiQL, served offline (render-graphiql inlines every asset: ~9 MB, so the page is rendered once
 * per distinct options). The example tabs carry real ids, read through the gateway itself as the
 * service account; the options are rebuilt every 10 minutes (sooner while that read fails).
 */
function createGraphiQL(fetchGraphQL: (body: string) => Promise<Response>, upstream: UpstreamClient, demoAccount?: DemoAccount) {
  let cached: { options: GraphiQLOptions; until: number } | undefined;
  let page: { key: string; html: string } | undefined;

  async function choices() {
    const response = await fetchGraphQL(JSON.stringify({ query: CHOICES_QUERY }));
    const body = (await response.json()) as { data?: Parameters<typeof pickChoices>[0] };
    return pickChoices(body.data);
  }

  async function options(): Promise<GraphiQLOptions> {
    if (cached && cached.until > Date.now()) return cached.options;
    const picked = await choices().catch(() => ({}));
    const token = demoAccount ? await upstream.issueToken(demoAccount).then((a) => a.token.id, () => undefined) : undefined;
    const complete = Object.keys(picked).length > 0;
    const built: GraphiQLOptions = {
      title: 'NHN Cloud compute GraphQL',
      defaultTabs: exampleTabs(picked, { account: demoAccount, token }),
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    };
    cached = { options: built, until: Date.now() + (complete ? GRAPHIQL_TTL_MS : 30_000) };
    return built;
  }

  async function render(opts: GraphiQLOptions): Promise<string> {
    const key = JSON.stringify(opts);
    if (page?.key !== key) {
      // Imported on first use, not at start: the module holds every asset (~40 MB of RSS), which a
      // gateway with GraphiQL off (production) must not carry.
      const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
      page = { key, html: renderGraphiQL(opts) };
    }
    return page.html;
  }

  return { options, render };
}

export function createGateway(options: GatewayOptions): Gateway {
  const { config, upstream } = options;
  const logger = options.logger ?? createLogger(config.logLevel, undefined, { format: config.logFormat });
  const requests = new WeakMap<Request, RequestState>();
  const { metrics, tracing } = options.observability ?? {};
  let shuttingDown = false;

  const persisted = config.persistedOperationsFile ? loadPersistedOperations(config.persistedOperationsFile) : undefined;
  if (persisted && metrics) metrics.operationNames.allow(operationNamesOf(persisted));
  const fetchGraphQL = (body: string): Promise<Response> =>
    Promise.resolve(yoga.fetch(INTERNAL_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
  const graphiql = config.graphiql ? createGraphiQL(fetchGraphQL, upstream, options.demoAccount) : undefined;

  const live = options.live ?? new LiveServers({ config, upstream, logger });
  if (metrics) measureLive(live, metrics);
  const yoga: Gateway['yoga'] = createYoga<ServerContext & Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: yogaLogger(logger),
    context: ({ request, ...server }) =>
      createContext(
        request,
        options,
        requests.get(request) ?? { requestId: requestIdOf(request), start: performance.now(), upstreamCalls: 0, errorCodes: [] },
        live,
        server,
      ),
    maskedErrors: { maskError: (error) => toClientError(error) },
    graphiql: graphiql ? graphiql.options : false,
    renderGraphiQL: graphiql?.render,
    maxRequestBodySize: config.limits.maxBodyBytes,
    batching: { limit: config.limits.maxBatchOperations },
    cors: config.corsOrigins.length > 0 ? corsFor(config.corsOrigins) : false,
    plugins: [
      // Compiled execution (graphql-jit): a warm 100-server page took 3.0-4.3 ms instead of 4.5-5.8 ms
      // (300 sequential yoga.fetch calls, 2 cores); every test passes with it, error paths included.
      // The plugin caches one compiled operation per document, whatever operationName asks for, so a
      // document of several operations (GraphiQL's multi-step tabs) runs on graphql-js instead.
      // Nor for subscriptions: graphql-jit 0.8.9 hands a subscription's `subscribe` the operation's
      // variables as its arguments (execution.js compileSubscriptionOperation), so an argument
      // whose variable is named otherwise arrives undefined and its validation is skipped.
      useGraphQlJit(
        {},
        {
          enableIf: (args) =>
            args.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length === 1 &&
            getOperationAST(args.document, args.operationName)?.operation !== 'subscription',
        },
      ),
      useObservability({ metrics, tracing, logger, graphqlEndpoint: '/graphql', requestIdOf, states: requests }),
      useReadinessCheck({
        endpoint: '/ready',
        // A failure answers a bare 503: the error text is for the log, not for probes.
        check: () => !shuttingDown && upstream.ready().then(() => true, () => false),
      }),
      useCsrfPrevention(),
      useIntrospectionSwitch(config.introspection),
      useVariableValuesUnquoted(),
      useLoadersReleased(),
      ...useOperationLimits(config.limits, { suggestions: config.introspection }),
      ...(persisted ? [usePersistedOnly(persisted)] : []),
    ],
  });

  return {
    yoga,
    live,
    beginShutdown() {
      shuttingDown = true;
    },
  };
}
