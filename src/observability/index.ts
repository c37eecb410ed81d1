// createObservability: the metrics and the tracing of one gateway instance, from the config. Handed to
// createUpstreamClient and createGateway (the same object to both: the upstream calls of a request are
// counted and traced under that request); main.ts serves the metrics on their own port.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { createTracing, type Tracing } from './tracing.js';

export interface Observability {
  /** Absent with METRICS_PORT=off: then nothing is measured at all. */
  metrics?: GatewayMetrics;
  /** Absent without an OTLP endpoint: then no span is made. */
  tracing?: Tracing;
  /** Sends the spans still buffered. */
  close(): Promise<void>;
}

export async function createObservability(config: Pick<Config, 'metrics' | 'tracing'>): Promise<Observability> {
  const metrics = config.metrics.port === undefined ? undefined : createMetrics({ maxOperationNames: config.metrics.maxOperationNames });
  const tracing = config.tracing === undefined ? undefined : await createTracing(config.tracing);
  return {
    metrics,
    tracing,
    close: async () => tracing?.shutdown(),
  };
}

export interface MetricsServer {
  server: Server;
  /** The port it listens on (the free one chosen for METRICS_PORT=0). */
  port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` in Prometheus' text format, on a listener apart from the API: the API port faces
 * callers, and what the gateway measures (operation names, upstream error rates) is for operators.
 */
export async function serveMetrics(metrics: GatewayMetrics, port: number, host: string): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: scrape GET /metrics\n');
      return;
    }
    metrics.scrape().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
