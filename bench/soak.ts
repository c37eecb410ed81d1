// `npm run soak -- --seconds 300` (issue #5; not part of CI): mixed queries and mutations through the
// gateway while the simulator answers 5% of compute, image and volume calls with 503 and adds 5-20 ms
// of latency (re-drawn per service every 5 s). Prints requests served, errors by code against the
// injected fault rate, p99 latency, and the gateway's RSS at start and end. Stops by itself; all
// traffic stays on 127.0.0.1.

import { join } from 'node:path';
import { numberFlag, parseFlags } from './lib/args.js';
import { GraphqlClient } from './lib/graphql-client.js';
import { readDirectFacts } from './lib/nhn-direct.js';
import { machine, writeFigures } from './lib/output.js';
import { repoRoot } from './lib/processes.js';
import { readMemory } from './lib/rss.js';
import { startGateway, startSimulatorProcess } from './lib/services.js';
import { chooseGateway, GATEWAY_FLAGS } from './lib/startup.js';
import { renderSoakReport, summarizeSoak, type InjectedFaults } from './lib/soak-report.js';
import { keypairFlow, readWorker, Recorder, serverFlow, type SoakFacts } from './lib/soak-traffic.js';
import { formatNumber } from './lib/table.js';
import type { SimulatorControlsClient } from './lib/simulator-client.js';

const flags = parseFlags({
  seconds: { default: '60', help: 'how long to drive traffic' },
  readers: { default: '8', help: 'concurrent query workers' },
  'server-flows': { default: '2', help: 'concurrent server lifecycles (create/stop/start/attach/detach/delete)' },
  'keypair-flows': { default: '1', help: 'concurrent keypair create/delete loops' },
  'error-rate': { default: '0.05', help: 'fraction of compute, image and volume calls that answer 503' },
  'latency-min': { default: '5', help: 'least added upstream latency, ms' },
  'latency-max': { default: '20', help: 'most added upstream latency, ms' },
  ...GATEWAY_FLAGS,
  out: { default: '.bench-out', help: 'directory for the JSON figures' },
});
const outDir = join(repoRoot, flags.out);
const seconds = numberFlag(flags.seconds, 'seconds');
const errorRate = numberFlag(flags['error-rate'], 'error-rate');
const [latencyMin, latencyMax] = [numberFlag(flags['latency-min'], 'latency-min'), numberFlag(flags['latency-max'], 'latency-max')];
const FAULTY_SERVICES = ['compute', 'image', 'volume'] as const;
const LATENCY_SERVICES = ['identity', 'compute', 'image', 'volume', 'network'] as const;
const log = (line: string): void => console.log(line);

type Page = { servers: { edges: { node: { id: string; image: { id: string } | null; keyName: string | null } }[] }; flavors: { id: string; name: string }[] };

async function gatherFacts(client: GraphqlClient, simulator: Awaited<ReturnType<typeof startSimulatorProcess>>): Promise<SoakFacts> {
  const page = await client.data<Page>('query { servers(first: 100) { edges { node { id image { id } keyName } } } flavors { id name } }');
  const nodes = page.servers.edges.map((e) => e.node);
  // u2 flavors boot from a local disk, so a create needs no block device mapping.
  const flavor = page.flavors.find((f) => f.name.startsWith('u2.')) ?? page.flavors[0];
  const withImage = nodes.find((n) => n.image && n.keyName);
  if (!flavor || !withImage?.image || !withImage.keyName) throw new Error('the simulator data lacks a flavor, image or keypair');
  const direct = await readDirectFacts(simulator);
  return { serverIds: nodes.map((n) => n.id), flavorId: flavor.id, imageId: withImage.image.id, keyName: withImage.keyName, ...direct };
}

/**
 * Counts calls and injected 503s per service from the simulator's request log, read and cleared every
 * 10 s (the log keeps only its newest 100k entries; the few calls between a read and its clear are
 * missed, which leaves the observed rate unbiased).
 */
function tallyFaults(controls: SimulatorControlsClient): { stop(): Promise<InjectedFaults['byService']> } {
  const byService: InjectedFaults['byService'] = {};
  const drain = async (): Promise<void> => {
    const entries = await controls.requestLog();
    await controls.resetLog();
    for (const entry of entries) {
      // Still in flight when read: its status is unknown, so it counts on neither side.
      if (entry.status === 0) continue;
      const tally = (byService[entry.service] ??= { calls: 0, faults: 0 });
      tally.calls++;
      if (entry.status === 503) tally.faults++;
    }
  };
  let draining = Promise.resolve();
  const timer = setInterval(() => (draining = draining.then(drain)), 10_000);
  return {
    async stop() {
      clearInterval(timer);
      await (draining = draining.then(drain));
      return byService;
    },
  };
}

async function main(): Promise<void> {
  log(`machine: ${JSON.stringify(machine())}`);
  const { launch } = chooseGateway(outDir, flags, log);
  const simulator = await startSimulatorProcess({ latencyMs: { '*': latencyMin }, buildDelayMs: 200 });
  const gateway = await startGateway({ simulator, ...launch });
  const client = new GraphqlClient(gateway.graphqlUrl, 64);
  try {
    const facts = await gatherFacts(client, simulator);
    // Faults start only now: the facts above must not depend on luck.
    for (const service of FAULTY_SERVICES) await simulator.controls.setErrorRate(service, errorRate);
    await simulator.controls.resetLog();
    const rssStart = readMemory(gateway.child.pid).rssMb;
    const startedAt = Date.now();
    const until = startedAt + seconds * 1000;
    log(`soak: ${seconds} s, ${flags.readers} readers, ${flags['server-flows']} server flows, ${flags['keypair-flows']} keypair flows, ` +
      `${errorRate * 100}% faults on ${FAULTY_SERVICES.join('/')}, latency ${latencyMin}-${latencyMax} ms; gateway RSS ${formatNumber(rssStart)} MB`);

    const recorder = new Recorder();
    const logTally = tallyFaults(simulator.controls);
    const jitter = setInterval(() => {
      for (const service of LATENCY_SERVICES) {
        void simulator.controls.setLatency(Math.round(latencyMin + Math.random() * (latencyMax - latencyMin)), service);
      }
    }, 5_000);
    const progress = setInterval(() => {
      const failed = recorder.outcomes.filter((o) => o.codes.length > 0).length;
      log(`  ${Math.round((Date.now() - startedAt) / 1000)} s: ${recorder.outcomes.length} requests, ${failed} with errors, RSS ${formatNumber(readMemory(gateway.child.pid).rssMb)} MB`);
    }, 30_000);
    const workers = [
      ...Array.from({ length: numberFlag(flags.readers, 'readers') }, () => readWorker(client, recorder, facts, until)),
      ...Array.from({ length: numberFlag(flags['server-flows'], 'server-flows') }, (_, i) => serverFlow(client, recorder, facts, i, until)),
      ...Array.from({ length: numberFlag(flags['keypair-flows'], 'keypair-flows') }, (_, i) => keypairFlow(client, recorder, i, until)),
    ];
    await Promise.all(workers);
    clearInterval(jitter);
    clearInterval(progress);
    const elapsedS = (Date.now() - startedAt) / 1000;
    const rssEnd = readMemory(gateway.child.pid).rssMb;

    const injected: InjectedFaults = { rate: errorRate, services: [...FAULTY_SERVICES], byService: await logTally.stop() };
    const summary = summarizeSoak(recorder.outcomes, elapsedS, rssStart, rssEnd, injected);
    log(`\n${renderSoakReport(summary)}`);
    log(`\nraw figures: ${writeFigures(outDir, 'soak', { flags, summary })}`);
  } finally {
    await client.close();
    await gateway.child.stop();
    await simulator.child.stop();
  }
}

await main();
process.exit(0);
