// One measured run against one target (gateway or baseline), with what the issue asks for beside
// throughput and latency: upstream calls per request (from the simulator's log) and the target
// process's peak RSS during the run.

import { GraphqlClient } from './graphql-client.js';
import { runLoad } from './load.js';
import { watchPeakRss } from './rss.js';
import type { HttpService, SimulatorProcess } from './services.js';

export interface Target {
  /** e.g. "gateway", "gateway-cold", "baseline-cached". */
  name: string;
  role: 'gateway' | 'baseline';
  service: HttpService;
}

export interface Measurement {
  scenario: string;
  latencyMs: number;
  connections: number;
  target: string;
  role: Target['role'];
  round: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
  callsPerRequest: number;
  peakRssMb: number;
}

/** Upstream calls the simulator served since its last resetLog, not counting token issues. */
export async function upstreamCalls(simulator: SimulatorProcess): Promise<number> {
  const counters = await simulator.controls.counters();
  let calls = 0;
  for (const [route, count] of Object.entries(counters)) {
    if (!route.startsWith('POST identity ')) calls += count;
  }
  return calls;
}

export interface RunSpec {
  scenario: string;
  latencyMs: number;
  body: string;
  connections: number;
  durationS: number;
  round: number;
}

export async function measure(simulator: SimulatorProcess, target: Target, spec: RunSpec): Promise<Measurement> {
  await simulator.controls.resetLog();
  const memory = watchPeakRss(target.service.child.pid);
  const load = await runLoad({ url: target.service.graphqlUrl, body: spec.body, connections: spec.connections, durationS: spec.durationS });
  const { peakMb } = memory.stop();
  const calls = await upstreamCalls(simulator);
  return {
    scenario: spec.scenario,
    latencyMs: spec.latencyMs,
    connections: spec.connections,
    target: target.name,
    role: target.role,
    round: spec.round,
    rps: load.rps,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    ok: load.ok,
    failed: load.failed,
    // In-flight requests cut off at the end may have made calls already: a small overcount.
    callsPerRequest: load.completed === 0 ? Number.NaN : calls / load.completed,
    peakRssMb: peakMb,
  };
}

export interface Probe {
  /** Exact upstream calls of this one request. */
  calls: number;
  text: string;
}

/** Sends one request alone and counts its upstream calls exactly. */
export async function probe(simulator: SimulatorProcess, graphqlUrl: string, body: { query: string; variables?: Record<string, unknown> }): Promise<Probe> {
  const client = new GraphqlClient(graphqlUrl, 1);
  try {
    await simulator.controls.resetLog();
    const answer = await client.post(body.query, body.variables);
    return { calls: await upstreamCalls(simulator), text: answer.text };
  } finally {
    await client.close();
  }
}
