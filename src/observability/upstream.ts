// What the upstream transport reports about each HTTP request to NHN: a duration in the histogram
// and a client span under the GraphQL operation's span, with the HTTP semantic conventions
// (https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client). Only bounded, non-secret
// facts are recorded: the route template (never the path with its ids and tenant), the method, the
// status, the service. Never a header, a query string or a body.

import { SpanStatusCode } from '@opentelemetry/api';
import type { GatewayMetrics } from './metrics.js';
import { startClientSpan, type TraceContext, type Tracing } from './tracing.js';

/** Per GraphQL request: what its upstream calls add to, and the parent of their spans. */
export interface RequestTelemetry {
  readonly requestId: string;
  /** HTTP requests sent to NHN for this request (retries included). */
  upstreamCalls: number;
  /** The GraphQL operation's span context, when traced. */
  traceContext?: TraceContext;
}

/** The facts of one upstream request that may be recorded. */
export interface ObservedCall {
  service: string;
  method: string;
  origin: string;
  /** The route template, e.g. `/v2/{tenantId}/servers/{id}`. */
  route?: string;
  telemetry?: RequestTelemetry;
}

/** Ends one HTTP attempt: the status when an answer came, and the failure's kind when none did. */
export type AttemptEnd = (status: number | undefined, errorType?: string) => void;

const UNKNOWN_ROUTE = 'other';

export class UpstreamTelemetry {
  readonly #hosts = new Map<string, { address: string; port: number }>();

  constructor(
    private readonly metrics: GatewayMetrics | undefined,
    private readonly tracing: Tracing | undefined,
  ) {}

  attempt(call: ObservedCall, resendCount: number): AttemptEnd {
    const started = performance.now();
    const route = call.route ?? UNKNOWN_ROUTE;
    const parent = call.telemetry?.traceContext;
    // Only calls made for a traced operation get a span: the service account's token refresh in the
    // background would otherwise start a trace of its own per refresh.
    const span =
      this.tracing !== undefined && parent !== undefined
        ? startClientSpan(this.tracing.tracer, `${call.method} ${route}`, parent, this.#spanAttributes(call, route, resendCount))
        : undefined;
    return (status, errorType) => {
      const statusLabel = status === undefined ? '' : String(status);
      // semconv error.type: the status code for an HTTP error answer, the failure's kind otherwise.
      const error = errorType ?? (status !== undefined && status >= 400 ? statusLabel : '');
      this.metrics?.upstreamDuration.observe(
        { service: call.service, operation: route, method: call.method, status_code: statusLabel, error_type: error },
        (performance.now() - started) / 1000,
      );
      if (span === undefined) return;
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (error !== '') {
        span.setAttribute('error.type', error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
  }

  retried(call: ObservedCall): void {
    this.metrics?.upstreamRetries.inc({ service: call.service, operation: call.route ?? UNKNOWN_ROUTE, method: call.method });
  }

  breakerOpened(service: string): void {
    this.metrics?.breakerOpenings.inc({ service });
  }

  #spanAttributes(call: ObservedCall, route: string, resendCount: number): Record<string, string | number> {
    const host = this.#host(call.origin);
    const attributes: Record<string, string | number> = {
      'http.request.method': call.method,
      'server.address': host.address,
      'server.port': host.port,
      'url.template': route,
      'nhn.service': call.service,
    };
    if (resendCount > 0) attributes['http.request.resend_count'] = resendCount;
    return attributes;
  }

  #host(origin: string): { address: string; port: number } {
    let host = this.#hosts.get(origin);
    if (host === undefined) {
      const url = new URL(origin);
      host = { address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
      this.#hosts.set(origin, host);
    }
    return host;
  }
}
