// The measurements of `npm run bench` for one upstream latency: a fresh simulator, a gateway with its
// caches (warm), one with every cache TTL at 0 (cold), and the two Q1 baselines; first checks that
// gateway and baseline answer Q1 alike and counts each query's calls exactly, then the load runs,
// alternating gateway and baseline (A B A B) so that machine noise hits both alike.

import { isDeepStrictEqual } from 'node:util';
import { measure, probe, type Measurement, type Target } from './measure.js';
import { runLoad } from './load.js';
import { GraphqlClient } from './graphql-client.js';
import { graphqlBody, Q1, Q2, Q3, SERVERS_WITH_ATTACHMENTS } from './queries.js';
import { startBaseline, startGateway, startSimulatorProcess, type GatewayLaunch, type HttpService, type SimulatorProcess } from './services.js';

export interface MatrixOptions {
  latencyMs: number;
  gateway: GatewayLaunch;
  durationS: number;
  warmupS: number;
  /** Rounds of scenarios with a baseline; the others run once. */
  rounds: number;
  /** Scenario name prefixes to run (empty: all). */
  only: string[];
  log: (line: string) => void;
}

export interface ProbeFigure {
  latencyMs: number;
  query: string;
  target: string;
  /** Upstream calls of one request on its own. */
  calls: number;
}

export interface MatrixResult {
  measurements: Measurement[];
  probes: ProbeFigure[];
  /** Problems found by the checks (answers that differ, errors); the figures are suspect then. */
  problems: string[];
}

interface Scenario {
  name: string;
  body: string;
  targets: Target[];
  connections: number[];
  rounds: number;
}

const COLD_CACHES = { CACHE_FLAVORS_TTL_MS: '0', CACHE_IMAGES_TTL_MS: '0', CACHE_KEYPAIRS_TTL_MS: '0' };

interface Services {
  simulator: SimulatorProcess;
  gateway: HttpService;
  gatewayCold: HttpService;
  baseline: HttpService;
  baselineCached: HttpService;
}

async function startServices(latencyMs: number, launch: GatewayLaunch): Promise<Services> {
  const simulator = await startSimulatorProcess({ latencyMs: { '*': latencyMs }, addServers: 100 });
  const [gateway, gatewayCold, baseline, baselineCached] = await Promise.all([
    startGateway({ simulator, ...launch }),
    startGateway({ simulator, ...launch, env: COLD_CACHES, name: 'gateway-cold' }),
    startBaseline(simulator, 0),
    startBaseline(simulator, 300_000),
  ]);
  return { simulator, gateway, gatewayCold, baseline, baselineCached };
}

async function stopServices(services: Services): Promise<void> {
  const { simulator, ...others } = services;
  await Promise.all(Object.values(others).map((s) => s.child.stop()));
  await simulator.child.stop();
}

/**
 * A server with volume attachments (the most), for Q2; when attachments cannot be listed, the oldest
 * server (a seeded one: the simulator's seed gives those volumes).
 */
async function serverForQ2(gateway: HttpService, result: MatrixResult): Promise<string> {
  type Page = { servers: { edges: { node: { id: string; volumeAttachments?: unknown[] } }[] } };
  const client = new GraphqlClient(gateway.graphqlUrl, 1);
  try {
    const answer = await client.post<Page>(SERVERS_WITH_ATTACHMENTS);
    if (answer.data && !answer.errors) {
      const nodes = answer.data.servers.edges.map((e) => e.node);
      const most = nodes.sort((a, b) => (b.volumeAttachments?.length ?? 0) - (a.volumeAttachments?.length ?? 0))[0];
      if (most) return most.id;
    }
    result.problems.push(`listing volume attachments failed, Q2 uses the oldest server: ${answer.text.slice(0, 300)}`);
    const page = await client.data<Page>('query { servers(first: 100) { edges { node { id } } } }');
    const oldest = page.servers.edges.at(-1)?.node.id;
    if (!oldest) throw new Error('the simulator has no servers');
    return oldest;
  } finally {
    await client.close();
  }
}

/** Exact calls per query, and whether gateway and baselines answer Q1 with the same JSON. */
async function checkAndCount(services: Services, q2Id: string, options: MatrixOptions, result: MatrixResult): Promise<void> {
  const record = async (query: string, target: string, service: HttpService, body: { query: string; variables?: Record<string, unknown> }) => {
    const { calls, text } = await probe(services.simulator, service.graphqlUrl, body);
    result.probes.push({ latencyMs: options.latencyMs, query, target, calls });
    if (text.includes('"errors"')) result.problems.push(`${query} on ${target} answered errors: ${text.slice(0, 300)}`);
    return text;
  };
  // The default gateway's first Q1 is a cold one; its second shows the warm cost.
  const q1Cold = await record('Q1 first request', 'gateway', services.gateway, { query: Q1 });
  await record('Q1 warm', 'gateway', services.gateway, { query: Q1 });
  await record('Q1 cold', 'gateway-cold', services.gatewayCold, { query: Q1 });
  const baselineText = await record('Q1 cold', 'baseline', services.baseline, { query: Q1 });
  await record('Q1 first request', 'baseline-cached', services.baselineCached, { query: Q1 });
  await record('Q1 warm', 'baseline-cached', services.baselineCached, { query: Q1 });
  await record('Q2', 'gateway', services.gateway, { query: Q2, variables: { id: q2Id } });
  // Q1 has loaded the flavor catalogue: Q3 is warm already.
  await record('Q3 warm', 'gateway', services.gateway, { query: Q3 });
  await record('Q3 cold', 'gateway-cold', services.gatewayCold, { query: Q3 });
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  if (!isDeepStrictEqual(parse(q1Cold), parse(baselineText))) {
    result.problems.push(`Q1: gateway and baseline answers differ (gateway ${q1Cold.slice(0, 300)} ... baseline ${baselineText.slice(0, 300)} ...)`);
  }
}

function scenarios(services: Services, q2Id: string, rounds: number): Scenario[] {
  const gateway: Target = { name: 'gateway', role: 'gateway', service: services.gateway };
  const gatewayCold: Target = { name: 'gateway-cold', role: 'gateway', service: services.gatewayCold };
  const baseline: Target = { name: 'baseline', role: 'baseline', service: services.baseline };
  const baselineCached: Target = { name: 'baseline-cached', role: 'baseline', service: services.baselineCached };
  const q1 = graphqlBody(Q1);
  return [
    { name: 'Q1 warm', body: q1, targets: [gateway, baselineCached], connections: [10, 1], rounds },
    { name: 'Q1 cold', body: q1, targets: [gatewayCold, baseline], connections: [10, 1], rounds },
    // Peak memory under 50 concurrent requests; one long round is enough for a peak.
    { name: 'Q1 warm', body: q1, targets: [gateway, baselineCached], connections: [50], rounds: 1 },
    { name: 'Q2', body: graphqlBody(Q2, { id: q2Id }), targets: [gateway], connections: [10, 1], rounds: 1 },
    { name: 'Q3 warm', body: graphqlBody(Q3), targets: [gateway], connections: [10, 1], rounds: 1 },
    { name: 'Q3 cold', body: graphqlBody(Q3), targets: [gatewayCold], connections: [10, 1], rounds: 1 },
  ];
}

export async function runMatrix(options: MatrixOptions): Promise<MatrixResult> {
  const result: MatrixResult = { measurements: [], probes: [], problems: [] };
  options.log(`latency ${options.latencyMs} ms: starting simulator, gateways and baselines`);
  const services = await startServices(options.latencyMs, options.gateway);
  try {
    const q2Id = await serverForQ2(services.gateway, result);
    await checkAndCount(services, q2Id, options, result);
    for (const problem of result.problems) options.log(`  CHECK FAILED: ${problem}`);
    const selected = scenarios(services, q2Id, options.rounds).filter(
      (s) => options.only.length === 0 || options.only.some((prefix) => s.name.toLowerCase().startsWith(prefix.toLowerCase())),
    );
    for (const scenario of selected) {
      for (const connections of scenario.connections) {
        for (const target of scenario.targets) {
          await runLoad({ url: target.service.graphqlUrl, body: scenario.body, connections, durationS: options.warmupS });
        }
        for (let round = 1; round <= scenario.rounds; round++) {
          for (const target of scenario.targets) {
            const spec = { scenario: scenario.name, latencyMs: options.latencyMs, body: scenario.body, connections, durationS: options.durationS, round };
            const m = await measure(services.simulator, target, spec);
            result.measurements.push(m);
            options.log(
              `  ${scenario.name} c${connections} ${target.name} round ${round}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50Ms.toFixed(1)} ms, ` +
                `p99 ${m.p99Ms.toFixed(1)} ms, ${m.callsPerRequest.toFixed(2)} calls/req, peak ${m.peakRssMb.toFixed(0)} MB` +
                (m.failed > 0 ? `, ${m.failed} FAILED` : ''),
            );
          }
        }
      }
    }
  } finally {
    await stopServices(services);
  }
  return result;
}
