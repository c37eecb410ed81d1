// `npm run bench -- --observability`: what metrics and tracing cost on the warm 100-server page (Q1).
// Four gateways over one simulator (100 extra servers, no added latency): both off (METRICS_PORT=off,
// no OTLP endpoint), metrics only, tracing only (every request sampled, exported as OTLP/HTTP
// protobuf to a sink process that answers 200 and counts), both on. Rounds alternate the four
// (A B C D A B C D ...) so that drift hits them alike; the table shows medians and each one's
// throughput against "both off". On a shared machine throughput swings with the neighbours' load, so
// each run also reports the gateway process's own CPU time per answered request (utime + stime from
// /proc/<pid>/stat), which another process's load barely moves.

import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createTracing, ROOT_CONTEXT, trace } from '../../src/observability/tracing.js';
import { UpstreamTelemetry } from '../../src/observability/upstream.js';
import { runLoad, type LoadResult } from './load.js';
import { graphqlBody, Q1 } from './queries.js';
import { startGateway, startSimulatorProcess, type GatewayLaunch, type HttpService } from './services.js';
import { median } from './stats.js';
import { formatNumber, renderTable } from './table.js';

export interface ObservabilityCostOptions {
  launch: GatewayLaunch;
  durationS: number;
  warmupS: number;
  rounds: number;
  connections: number;
  log: (line: string) => void;
}

export interface VariantFigures {
  variant: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  /** Median req/s over "both off"'s. */
  ratio: number;
  /** Median CPU milliseconds the gateway process spent per answered request. */
  cpuMsPerRequest: number;
  /** Median CPU per request over "both off"'s. */
  cpuRatio: number;
  runs: LoadResult[];
}

export interface ObservabilityCostResult {
  variants: VariantFigures[];
  sink: { exports: number; bytes: number };
  /** CPU microseconds the instruments alone add per Q1-warm request, measured in this process. */
  instruments: { metricsUs: number; tracingUs: number; bothUs: number };
}

/**
 * A stand-in OTLP collector in a process of its own (in the runner's process it would slow autocannon
 * down exactly for the tracing variants): takes every export, answers 200, counts; GET /count tells.
 */
const SINK = `
const { createServer } = require('node:http');
let exports = 0, bytes = 0;
const server = createServer((request, response) => {
  if (request.method === 'GET') return response.end(JSON.stringify({ exports, bytes }));
  request.on('data', (chunk) => (bytes += chunk.length));
  request.on('end', () => { exports++; response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`;

async function startSink(): Promise<{ url: string; counts(): Promise<{ exports: number; bytes: number }>; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const url = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
  return {
    url,
    counts: async () => (await (await fetch(`${url}/count`)).json()) as { exports: number; bytes: number },
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** CPU time (user + system) a process has used so far, ms (Linux). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, hence the last ')'): utime is the 14th field, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export async function runObservabilityCost(options: ObservabilityCostOptions): Promise<ObservabilityCostResult> {
  const { log } = options;
  const simulator = await startSimulatorProcess({ latencyMs: { '*': 0 }, addServers: 100 });
  const sink = await startSink();
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: 'always_on' };
  const variants: { name: string; env: Record<string, string> }[] = [
    { name: 'both off', env: { METRICS_PORT: 'off' } },
    { name: 'metrics on', env: { METRICS_PORT: '0' } },
    { name: 'tracing on', env: { METRICS_PORT: 'off', ...tracing } },
    { name: 'both on', env: { METRICS_PORT: '0', ...tracing } },
  ];
  const gateways: HttpService[] = [];
  try {
    for (const variant of variants) {
      gateways.push(await startGateway({ simulator, ...options.launch, env: variant.env, name: `gateway (${variant.name})` }));
    }
    const body = graphqlBody(Q1);
    log(`observability cost: Q1 warm (100 servers), ${options.connections} connections, ${options.rounds} rounds of ${options.durationS} s per variant`);
    for (const gateway of gateways) await runLoad({ url: gateway.graphqlUrl, body, connections: options.connections, durationS: options.warmupS });
    const runs: LoadResult[][] = variants.map(() => []);
    const cpu: number[][] = variants.map(() => []);
    for (let round = 0; round < options.rounds; round++) {
      for (const [index, gateway] of gateways.entries()) {
        const cpuBefore = cpuMs(gateway.child.pid);
        const result = await runLoad({ url: gateway.graphqlUrl, body, connections: options.connections, durationS: options.durationS });
        const perRequest = (cpuMs(gateway.child.pid) - cpuBefore) / Math.max(1, result.completed);
        runs[index]!.push(result);
        cpu[index]!.push(perRequest);
        log(`  round ${round + 1} ${variants[index]!.name.padEnd(10)} ${formatNumber(result.rps, 0)} req/s, ${formatNumber(perRequest, 2)} CPU ms/request`);
      }
    }
    const baselineCpu = median(cpu[0]!);
    const baseline = median(runs[0]!.map((r) => r.rps));
    const figures = variants.map((variant, index) => {
      const list = runs[index]!;
      const rps = median(list.map((r) => r.rps));
      return {
        variant: variant.name,
        rps,
        p50Ms: median(list.map((r) => r.p50Ms)),
        p99Ms: median(list.map((r) => r.p99Ms)),
        failed: list.reduce((sum, r) => sum + r.failed, 0),
        ratio: rps / baseline,
        cpuMsPerRequest: median(cpu[index]!),
        cpuRatio: median(cpu[index]!) / baselineCpu,
        runs: list,
      };
    });
    const instruments = await instrumentCost(sink.url);
    return { variants: figures, sink: await sink.counts(), instruments };
  } finally {
    for (const gateway of gateways) await gateway.child.stop();
    await simulator.child.stop();
    await sink.close();
  }
}

/**
 * The instruments' own CPU cost per request, what a warm Q1 records: one operation span and histogram
 * sample, one upstream call (histogram sample and client span), a hundred cache lookups; spans
 * exported to the sink as the batch processor does between requests. Throughput on a shared
 * 2-core machine swings by more than this; this figure does not.
 */
async function instrumentCost(sinkUrl: string, requests = 20_000): Promise<ObservabilityCostResult['instruments']> {
  const env = { NHN_IDENTITY_URL: sinkUrl, NHN_TENANT_ID: 't', NHN_USERNAME: 'u', NHN_API_PASSWORD: 'p' };
  const config = loadConfig({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_SAMPLER: 'always_on' });
  const metrics = createMetrics({ maxOperationNames: 100 });
  const tracing = await createTracing(config.tracing!);
  const lookups: [string, number, number] = ['images', 0, 0];
  const run = async (withMetrics: boolean, withTracing: boolean): Promise<number> => {
    const telemetry = new UpstreamTelemetry(withMetrics ? metrics : undefined, withTracing ? tracing : undefined);
    const started = process.cpuUsage();
    for (let i = 0; i < requests; i++) {
      const state: { requestId: string; upstreamCalls: number; traceContext?: ReturnType<typeof trace.setSpan> } = { requestId: 'r', upstreamCalls: 0 };
      const span = withTracing ? tracing.tracer.startSpan('graphql.operation', {}, ROOT_CONTEXT) : undefined;
      if (span) state.traceContext = trace.setSpan(ROOT_CONTEXT, span);
      telemetry.attempt({ service: 'compute', method: 'GET', origin: sinkUrl, route: '/v2/{tenantId}/servers/detail', telemetry: state }, 0)(200);
      if (withMetrics) {
        metrics.operationDuration.observe({ operation_name: metrics.operationNames.label('Q1'), operation_type: 'query' }, 0.003);
        for (let k = 0; k < 100; k++) lookups[1]++;
      }
      if (span) {
        span.updateName('query Q1');
        span.setAttribute('graphql.operation.type', 'query');
        span.setAttribute('graphql.operation.name', 'Q1');
        span.end();
      }
      // Room for the batch processor to export, as between requests (a sleep costs no CPU).
      if (i % 200 === 199) await sleep(20);
    }
    await tracing.flush();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / requests;
  };
  try {
    await run(true, true); // warm-up: JIT, buckets, label maps
    return { metricsUs: await run(true, false), tracingUs: await run(false, true), bothUs: await run(true, true) };
  } finally {
    await tracing.shutdown();
  }
}

export function renderObservabilityCost(result: ObservabilityCostResult): string {
  const table = renderTable(
    ['Q1 warm', 'req/s', 'vs both off', 'CPU ms/req', 'vs both off', 'p50 ms', 'p99 ms', 'failed'],
    result.variants.map((v) => [
      v.variant,
      formatNumber(v.rps, 0),
      `${formatNumber((v.ratio - 1) * 100, 1)}%`,
      formatNumber(v.cpuMsPerRequest, 2),
      `${formatNumber((v.cpuRatio - 1) * 100, 1)}%`,
      formatNumber(v.p50Ms, 2),
      formatNumber(v.p99Ms, 2),
      v.failed,
    ]),
  );
  const offCpu = result.variants[0]!.cpuMsPerRequest * 1000;
  const share = (us: number) => `${formatNumber(us, 1)} µs (${formatNumber((us / offCpu) * 100, 2)}% of "both off"'s CPU per request)`;
  const { metricsUs, tracingUs, bothUs } = result.instruments;
  return (
    `${table}\nOTLP sink received ${result.sink.exports} exports, ${formatNumber(result.sink.bytes / 1024 / 1024, 1)} MB (tracing variants)\n` +
    `instruments alone, CPU per Q1-warm request (in-process, export included): metrics ${share(metricsUs)}, tracing ${share(tracingUs)}, both ${share(bothUs)}`
  );
}
