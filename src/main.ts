// `npm start`: reads the config, starts the embedded NHN API simulator when no upstream is configured,
// and serves the gateway on node:http. SIGTERM/SIGINT drain it: /ready turns 503 while in-flight
// requests get a bounded time to finish, then the listener, the pools and the simulator close.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createGateway } from './gateway.js';
import { createLogger } from './log.js';
import { createSharedLive } from './live/shared.js';
import { SharedState } from './redis.js';
import { createObservability, serveMetrics } from './observability/index.js';
import type { DemoAccount } from './schema/examples.js';
import type { Simulator } from './simulator/index.js';
import { createUpstreamClient } from './upstream/index.js';
import { attachLiveTransports } from './live/transport.js';

const DRAIN_TIMEOUT_MS = 10_000;

/** The config as if NHN_IDENTITY_URL and the service account pointed at the simulator. */
function onSimulator(config: Config, simulator: Simulator): Config {
  return {
    ...config,
    endpoints: { identityUrl: simulator.identityUrl },
    serviceAccount: { tenantId: simulator.tenantId, username: simulator.username, apiPassword: simulator.apiPassword },
  };
}

function wait<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms), value).unref());
}

/** Counts the requests being answered, so that a shutdown can wait for them. */
function trackRequests(server: Server) {
  let count = 0;
  let closing = false;
  let onIdle: (() => void) | undefined;
  // Before the gateway's own listener, which may answer at once (/health, /ready).
  server.prependListener('request', (_request, response) => {
    count++;
    // During the drain a response ends its connection: the client's next request goes elsewhere.
    if (closing) response.setHeader('connection', 'close');
    response.once('close', () => {
      if (--count === 0) onIdle?.();
    });
  });
  return {
    get count() {
      return count;
    },
    closeConnectionsAfterResponse() {
      closing = true;
    },
    /** True once no request is in flight; false when `until` (epoch ms) came first. */
    idle(until: number): Promise<boolean> {
      if (count === 0) return Promise.resolve(true);
      return Promise.race([new Promise<boolean>((resolve) => (onIdle = () => resolve(true))), wait(until - Date.now(), false)]);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  let config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, { format: config.logFormat });
  let simulator: Simulator | undefined;
  let demoAccount: DemoAccount | undefined;

  if (config.useEmbeddedSimulator) {
    // Port 0: the simulator is an implementation detail here and must never clash with anything.
    const { tenantId, username, apiPassword, buildDelayMs, seed } = config.simulator;
    // Imported only here: a gateway in front of NHN Cloud does not carry it (~7 MB of RSS).
    const { startSimulator } = await import('./simulator/index.js');
    simulator = await startSimulator({ host: '127.0.0.1', port: 0, tenantId, username, apiPassword, buildDelayMs, seed });
    config = onSimulator(config, simulator);
    demoAccount = { tenantId, username, password: apiPassword };
    console.log(`No NHN_IDENTITY_URL set: running on the embedded NHN API simulator at ${simulator.url} (demo data, tenant ${tenantId}).`);
    console.log('Set NHN_IDENTITY_URL, NHN_TENANT_ID, NHN_USERNAME and NHN_API_PASSWORD to use NHN Cloud.');
  }

  const observability = await createObservability(config);
  // Not awaited: a replica serves from its own memory until Redis answers (and whenever it stops).
  const sharedState = config.redis === undefined ? undefined : new SharedState(config.redis, logger);
  if (sharedState !== undefined && observability.metrics !== undefined) observability.metrics.readSharedState = () => sharedState.status();
  const upstream = createUpstreamClient(config, { metrics: observability.metrics, tracing: observability.tracing, sharedState });
  const sharedLive = sharedState === undefined ? undefined : createSharedLive({ config, upstream, logger, shared: sharedState });
  const gateway = createGateway({ config, upstream, logger, demoAccount, observability, live: sharedLive?.live });
  const server = createServer(gateway.yoga);
  const live = attachLiveTransports(server, gateway, config);
  const inFlight = trackRequests(server);
  await listen(server, config.port, config.host);

  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const { port } = server.address() as AddressInfo; // PORT=0 picks a free one
  const origin = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  console.log(`GraphQL${config.graphiql ? ' and GraphiQL' : ''}: ${origin}/graphql   health: ${origin}/health   readiness: ${origin}/ready`);
  const metricsServer =
    observability.metrics && config.metrics.port !== undefined
      ? await serveMetrics(observability.metrics, config.metrics.port, config.metrics.host)
      : undefined;
  if (metricsServer) {
    const metricsHost = config.metrics.host === '0.0.0.0' || config.metrics.host === '::' ? 'localhost' : config.metrics.host;
    console.log(`Prometheus metrics: http://${metricsHost.includes(':') ? `[${metricsHost}]` : metricsHost}:${metricsServer.port}/metrics`);
  }
  if (config.tracing) console.log(`Traces: OTLP ${config.tracing.protocol} to ${new URL(config.tracing.url).origin}`);

  upstream.ready().then(
    () => console.log(`Ready in ${Math.round(process.uptime() * 1000)} ms from process start.`),
    (error: unknown) =>
      logger.warn('upstream not ready yet; /ready answers 503 until it is', {
        error: error instanceof Error ? error.message : String(error),
      }),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal, inFlight: inFlight.count, streams: live.openStreams });
    gateway.beginShutdown();
    // Streams never finish by themselves: end them first, so that their clients reconnect to another
    // replica at once, and the drain below waits only for ordinary requests.
    live.endStreams();
    gateway.live.close();
    const until = Date.now() + DRAIN_TIMEOUT_MS;
    // Still listening while requests are in flight: probes meanwhile get /ready 503 (rather than a
    // refused connection, which some read as a crash), and load balancers move traffic away.
    inFlight.closeConnectionsAfterResponse();
    await inFlight.idle(until);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections turn idle as their last response ends: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.closeIdleConnections();
    const drained = await Promise.race([closed.then(() => true), wait(until - Date.now(), false)]);
    clearInterval(sweep);
    if (!drained) {
      logger.warn('in-flight requests did not finish in time; closing their connections', { timeoutMs: DRAIN_TIMEOUT_MS });
      server.closeAllConnections();
    }
    await live.close();
    await upstream.close();
    await metricsServer?.close();
    await observability.close();
    await sharedLive?.close();
    await sharedState?.close();
    await simulator?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
