// The Yoga plugin that sees each GraphQL request whole: it gives the request its id and telemetry,
// continues the caller's W3C trace with one span for the operation, and when the response leaves
// records the operation's duration and error codes, ends the span and writes the request's log line.
// Only bounded and non-secret facts go out: operation names through OperationNames, types, codes;
// never the document, the variables or a header.

import { getOperationAST, type GraphQLError } from '../schema/graphql.js';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Logger } from '../log.js';
import { errorCodeLabel, type GatewayMetrics, wellFormedName } from './metrics.js';
import { ROOT_CONTEXT, type Span, trace, type Tracing } from './tracing.js';
import type { RequestTelemetry } from './upstream.js';

/** What the gateway knows about one HTTP request while it runs. */
export interface RequestState extends RequestTelemetry {
  readonly start: number;
  /** The W3C trace id: this request's span's, or the caller's traceparent's when not tracing. */
  traceId?: string;
  operationName?: string;
  operationType?: string;
  errorCodes: string[];
  span?: Span;
}

export interface ObservabilityPluginOptions {
  metrics?: GatewayMetrics;
  tracing?: Tracing;
  logger: Logger;
  graphqlEndpoint: string;
  /** The request id: the caller's X-Request-Id when it is well formed, else a new one. */
  requestIdOf(request: Request): string;
  /** Where the other parts of the gateway find the request's state. */
  states: WeakMap<Request, RequestState>;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
const UNKNOWN_TYPE = 'unknown';

export function useObservability(options: ObservabilityPluginOptions): Plugin {
  const { metrics, tracing, logger, states, graphqlEndpoint } = options;
  return {
    onRequest({ request, url }) {
      const state: RequestState = { requestId: options.requestIdOf(request), start: performance.now(), upstreamCalls: 0, errorCodes: [] };
      states.set(request, state);
      if (url.pathname !== graphqlEndpoint) return;
      if (tracing !== undefined) {
        const parent = tracing.extract(request.headers);
        const span = tracing.tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER }, parent);
        state.span = span;
        state.traceContext = trace.setSpan(parent ?? ROOT_CONTEXT, span);
        state.traceId = span.spanContext().traceId;
      } else {
        const given = TRACEPARENT.exec(request.headers.get('traceparent') ?? '');
        if (given !== null) state.traceId = given[1];
      }
    },
    onParams({ params, request }) {
      const state = states.get(request);
      // Until the document is parsed the name is only what the caller claims: kept only when it could
      // be a GraphQL name, so that no free text reaches a log line or a span.
      if (state !== undefined) state.operationName ??= wellFormedName(params.operationName);
    },
    onExecute({ args }) {
      const state = states.get((args.contextValue as { request: Request }).request);
      if (state === undefined || state.operationType !== undefined) return;
      const operation = getOperationAST(args.document, args.operationName);
      state.operationType = operation?.operation ?? UNKNOWN_TYPE;
      state.operationName = operation?.name?.value ?? state.operationName;
    },
    onResultProcess({ request, result }) {
      const state = states.get(request);
      if (state === undefined || isAsyncIterable(result)) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of (one.errors ?? []) as readonly GraphQLError[]) state.errorCodes.push(errorCodeLabel(error.extensions?.code));
      }
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      if (state === undefined) return;
      response.headers.set('x-request-id', state.requestId);
      const seconds = (performance.now() - state.start) / 1000;
      const path = new URL(request.url).pathname;
      const graphql = path === graphqlEndpoint && !response.headers.get('content-type')?.startsWith('text/html');
      if (graphql) finishOperation(state, seconds, metrics);
      else state.span?.end();
      // Every response passes here: build the log fields only when they will be written.
      if (!logger.enabled('debug')) return;
      logger.debug('request', {
        requestId: state.requestId,
        traceId: state.traceId,
        method: request.method,
        path,
        status: response.status,
        ms: Math.round(seconds * 1000),
        operation: graphql ? metrics?.operationNames.label(state.operationName) ?? state.operationName : undefined,
        operationType: graphql ? (state.operationType ?? UNKNOWN_TYPE) : undefined,
        upstreamCalls: state.upstreamCalls,
        errorCodes: state.errorCodes.length > 0 ? [...new Set(state.errorCodes)] : undefined,
      });
    },
  };
}

function finishOperation(state: RequestState, seconds: number, metrics: GatewayMetrics | undefined): void {
  const type = state.operationType ?? UNKNOWN_TYPE;
  const name = metrics?.operationNames.label(state.operationName);
  if (metrics !== undefined && name !== undefined) {
    const labels = { operation_name: name, operation_type: type };
    metrics.operationDuration.observe(labels, seconds);
    for (const code of state.errorCodes) metrics.operationErrors.inc({ ...labels, code });
  }
  const span = state.span;
  if (span === undefined) return;
  // semconv GraphQL server span: "{operation type} {operation name}", never the document itself.
  const spanName = state.operationName ?? undefined;
  span.updateName(spanName === undefined ? type : `${type} ${spanName}`);
  span.setAttribute('graphql.operation.type', type);
  if (state.operationName !== undefined) span.setAttribute('graphql.operation.name', state.operationName);
  span.setAttribute('nhn.upstream_calls', state.upstreamCalls);
  if (state.errorCodes.length > 0) {
    const codes = [...new Set(state.errorCodes)];
    span.setAttribute('graphql.error.codes', codes);
    span.setAttribute('error.type', codes[0]!);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
