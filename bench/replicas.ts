// `npm run bench:replicas`: three gateway replicas behind HAProxy against one, on the same machine,
// all on one simulator: throughput, latency and upstream calls per request. Each scenario starts on
// cold caches (fresh replicas, empty Redis) and one request before the load, so the calls show what sharing saves: with Redis the
// flavor catalogue, image metadata and keypairs are fetched once for all replicas; without it once
// per replica. On a 2-core machine three replicas compete with HAProxy, Redis, the simulator and
// the load generator for the same cores: the throughput shows the overhead of the extra hop and
// processes, not scaling (which needs cores or machines of their own).
//
//   npm run bench:replicas
//   npm run bench:replicas -- --duration 10 --connections 32

import { cpus } from 'node:os';
import { startSimulator } from '../src/simulator/index.js';
import { startHaproxy, startRedis, startReplicas } from '../test/helpers/replicas.js';
import { numberFlag, parseFlags } from './lib/args.js';
import { runLoad } from './lib/load.js';
import { formatNumber, renderTable } from './lib/table.js';

const flags = parseFlags({
  duration: { default: '5', help: 'seconds of load per scenario' },
  connections: { default: '24', help: 'concurrent connections of the load generator' },
  servers: { default: '50', help: 'servers per page in the query' },
});
const durationS = numberFlag(flags.duration, 'duration');
const connections = numberFlag(flags.connections, 'connections');
const pageSize = numberFlag(flags.servers, 'servers');

const QUERY = `{ servers(first: ${pageSize}) { edges { node { id name status flavor { name vcpus } image { name } keypair { name } } } } }`;

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  requests: number;
  calls: Record<string, number>;
}

async function scenario(name: string, replicaCount: number, withRedis: boolean): Promise<Row> {
  const sim = await startSimulator({ port: 0, buildDelayMs: 30 });
  sim.controls.addServers(pageSize);
  const redis = withRedis ? await startRedis() : undefined;
  const replicas = await startReplicas(replicaCount, { sim, redisUrl: redis?.url, env: { LOG_LEVEL: 'warn', NODE_ENV: 'production' } });
  const balancer = await startHaproxy(replicas.replicas.map((r) => r.origin));
  try {
    sim.controls.resetLog();
    // One request first, as traffic usually starts: with Redis the others find its entries there.
    // (Replicas missing the same key at the same instant each fetch it: single-flight is per process.)
    await fetch(`${balancer.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) }).then((r) => r.text());
    const result = await runLoad({ url: `${balancer.origin}/graphql`, body: JSON.stringify({ query: QUERY }), connections, durationS });
    return { name, rps: result.rps, p50: result.p50Ms, p99: result.p99Ms, failed: result.failed, requests: result.completed, calls: replicas.calls() };
  } finally {
    await balancer.close();
    await replicas.close();
    await sim.close();
    await redis?.close();
  }
}

const rows: Row[] = [];
for (const [name, count, redis] of [
  ['1 replica + Redis', 1, true],
  ['3 replicas + Redis', 3, true],
  ['3 replicas, no Redis', 3, false],
] as const) {
  console.log(`running: ${name} (${durationS} s, ${connections} connections)...`);
  rows.push(await scenario(name, count, redis));
}

const routes = [...new Set(rows.flatMap((row) => Object.keys(row.calls)))].sort();
console.log(`\nQ: a ${pageSize}-server page with flavor, image and keypair, through HAProxy; ${cpus().length} cores; Node ${process.version}\n`);
console.log(
  renderTable(
    ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'failed', 'requests', 'upstream calls/request', ...routes.map((r) => r.replace(/^GET /, ''))],
    rows.map((row) => {
      const total = Object.values(row.calls).reduce((a, b) => a + b, 0);
      return [
        row.name,
        formatNumber(row.rps, 0),
        formatNumber(row.p50, 1),
        formatNumber(row.p99, 1),
        row.failed,
        row.requests,
        formatNumber(total / Math.max(1, row.requests), 4),
        ...routes.map((route) => row.calls[route] ?? 0),
      ];
    }),
  ),
);
console.log(
  '\nOn a machine this size, three replicas share the same cores with HAProxy, Redis, the simulator and the load generator:\n' +
    'the req/s difference is the overhead of the extra processes and hop, not scaling. Upstream calls are what sharing saves.',
);
