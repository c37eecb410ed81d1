// OpenTelemetry traces over OTLP/HTTP (protobuf or JSON), set up from the OTEL_* variables config.ts
// read. The provider belongs to this gateway instance and is not registered globally: the spans'
// parents are passed explicitly (the request's context travels with the upstream session), so two
// gateways in one process, or an application embedding this one, never share a tracer by accident.
// Without an endpoint none of this module's SDK parts is even loaded.

import {
  type Context as TraceContext,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { TracesSampler, TracingConfig } from '../config.js';

export interface Tracing {
  readonly tracer: Tracer;
  /** The caller's W3C traceparent/tracestate as a parent context (ROOT_CONTEXT without one). */
  extract(headers: Headers): TraceContext;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
  /** Sends what is buffered (tests, and before exit). */
  flush(): Promise<void>;
}

const HEADER_GETTER: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/** Names the instrumentation scope of every span. */
const SCOPE = 'nhn-compute-graphql-gateway';

export async function createTracing(config: TracingConfig): Promise<Tracing> {
  const [{ BasicTracerProvider, BatchSpanProcessor, AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler }, core, resources] =
    await Promise.all([import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/core'), import('@opentelemetry/resources')]);
  const { CompressionAlgorithm } = await import('@opentelemetry/otlp-exporter-base');
  // Every setting explicit (config.ts read them): the SDK's own reading of process.env never decides.
  const exporterOptions = {
    url: config.url,
    headers: config.headers,
    timeoutMillis: config.timeoutMs,
    compression: config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
  };
  const exporter =
    config.protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(exporterOptions)
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(exporterOptions);

  const samplers: Record<TracesSampler, () => Sampler> = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: () => new TraceIdRatioBasedSampler(config.samplerRatio),
    parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    parentbased_traceidratio: () => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) }),
  };
  const provider = new BasicTracerProvider({
    resource: resources.resourceFromAttributes({ ...config.resourceAttributes, 'service.name': config.serviceName }),
    sampler: samplers[config.sampler](),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: config.batch.scheduleDelayMs,
        exportTimeoutMillis: config.batch.exportTimeoutMs,
        maxQueueSize: config.batch.maxQueueSize,
        maxExportBatchSize: config.batch.maxExportBatchSize,
      }),
    ],
  });
  const propagator = new core.W3CTraceContextPropagator();
  return {
    tracer: provider.getTracer(SCOPE),
    extract: (headers) => propagator.extract(ROOT_CONTEXT, headers, HEADER_GETTER),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Starts a client span under `parent`: what the upstream transport calls per HTTP request. */
export function startClientSpan(tracer: Tracer, name: string, parent: TraceContext | undefined, attributes: Record<string, string | number>): Span {
  return tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent ?? ROOT_CONTEXT);
}

export { trace, SpanKind, ROOT_CONTEXT };
export type { TraceContext, Span };
