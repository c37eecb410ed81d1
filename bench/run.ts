// `npm run bench`: what the gateway costs its users in latency and its upstream in calls (issue #4).
// Starts the simulator (in its own process) per upstream latency, the gateway against it over HTTP,
// and a hand-written Q1 baseline; measures Q1, Q2 and Q3 with autocannon; prints one table and the
// targets met or missed, and writes the raw figures to .bench-out/. See bench/README.md.
//
//   npm run bench                          the whole matrix (about 4-5 minutes)
//   npm run bench -- --duration 5 --rounds 5 --latencies 0
//   npm run bench -- --only "q1 warm"
//   npm run bench -- --soak-memory 300     Q1 at 50 connections for 300 s, RSS every 30 s
//   npm run bench -- --profile 20          CPU profile of the gateway under Q1
//   npm run bench -- --observability       only the cost of metrics and tracing on Q1 warm
//   npm run bench -- --subscriptions 1000  live server state: upstream calls, latency, RSS, fan-out

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { numberFlag, numberList, parseFlags } from './lib/args.js';
import { runMatrix, type MatrixResult } from './lib/matrix.js';
import { runMemorySoak, type MemorySoakResult } from './lib/memory-soak.js';
import { renderObservabilityCost, runObservabilityCost } from './lib/observability-cost.js';
import { machine, writeFigures } from './lib/output.js';
import { repoRoot } from './lib/processes.js';
import { profileGateway } from './lib/profile.js';
import { runSubscriptionBench } from './lib/subscriptions.js';
import { checkTargets, renderChecks, renderProbes, renderRows, summarize, type MemoryGrowth } from './lib/report.js';
import { startSimulatorProcess, type GatewayEntry } from './lib/services.js';
import { chooseGateway, GATEWAY_FLAGS, measureStartup, type StartupFigures } from './lib/startup.js';
import { formatNumber } from './lib/table.js';

const flags = parseFlags({
  duration: { default: '3', help: 'seconds per measured run' },
  warmup: { default: '1', help: 'seconds of warm-up load per target before each scenario' },
  rounds: { default: '3', help: 'rounds of each gateway/baseline pair (the median is reported)' },
  latencies: { default: '0,20', help: 'added upstream latencies to measure, ms' },
  only: { default: '', help: 'comma-separated scenario prefixes: "q1", "q1 cold", "q2", "q3"...' },
  'startup-runs': { default: '3', help: 'gateway starts per entry (tsx, dist) for the startup time' },
  ...GATEWAY_FLAGS,
  'soak-memory': { default: '', help: 'instead of the matrix: Q1 at 50 connections for this many seconds' },
  'soak-latency': { default: '0', help: 'upstream latency for --soak-memory, ms' },
  profile: { default: '', help: 'instead of the matrix: CPU-profile the gateway under Q1 for this many seconds' },
  observability: { default: 'false', help: 'instead of the matrix: only the cost of metrics and tracing on Q1 warm (10 connections)' },
  subscriptions: { default: '', help: 'instead of the matrix: live server state with this many subscriptions of one project' },
  'sub-window': { default: '61', help: 'seconds of each upstream-call window of --subscriptions (each starts right after a poll)' },
  out: { default: '.bench-out', help: 'directory for the JSON figures and profiles' },
});

const outDir = join(repoRoot, flags.out);
const log = (line: string): void => console.log(line);
const startedAt = performance.now();

function save(kind: string, figures: Record<string, unknown>): void {
  log(`\nraw figures: ${writeFigures(outDir, kind, { flags, ...figures })}`);
}

function printMemorySoak(result: MemorySoakResult): void {
  log(
    `\nRSS start ${formatNumber(result.startMb)} MB, end ${formatNumber(result.endMb)} MB (end - start ${formatNumber(result.growthMb)} MB); ` +
      `fitted growth ${formatNumber(result.fittedGrowthMb)} MB (${formatNumber(result.slopeMbPerMin, 2)} MB/min); peak ${formatNumber(result.peakMb)} MB; ` +
      `${formatNumber(result.load.rps, 0)} req/s, p99 ${formatNumber(result.load.p99Ms)} ms, ${result.load.failed} failed`,
  );
  // "No growth": the fitted line rises less than 10 MB over the run (GC swings are larger than that).
  const met = result.fittedGrowthMb < 10;
  log(`target "no RSS growth over the run": ${met ? 'MET' : 'MISSED'} (fitted ${formatNumber(result.fittedGrowthMb)} MB over ${result.seconds} s)`);
}

/** The growth figure of the last `--soak-memory` run, if any: the matrix itself is too short for it. */
function lastMemoryGrowth(): MemoryGrowth | undefined {
  const file = join(outDir, 'memory-soak-latest.json');
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { result?: Partial<MemorySoakResult>; flags?: { gateway?: string } };
  const { result } = saved;
  if (result?.fittedGrowthMb === undefined || result.seconds === undefined) return undefined;
  return { growthMb: result.fittedGrowthMb, seconds: result.seconds, source: `last --soak-memory run (${saved.flags?.gateway ?? '?'})` };
}

async function startupFigures(entries: GatewayEntry[], nodeArgs: string[]): Promise<StartupFigures[]> {
  const simulator = await startSimulatorProcess({ latencyMs: { '*': 0 } });
  try {
    return await measureStartup(simulator, entries, numberFlag(flags['startup-runs'], 'startup-runs'), nodeArgs);
  } finally {
    await simulator.child.stop();
  }
}

async function main(): Promise<void> {
  log(`machine: ${JSON.stringify(machine())}`);
  const { launch, dist } = chooseGateway(outDir, flags, log);
  if (flags['soak-memory'] !== '') {
    const result = await runMemorySoak(numberFlag(flags['soak-memory'], 'soak-memory'), numberFlag(flags['soak-latency'], 'soak-latency'), launch, log);
    printMemorySoak(result);
    save('memory-soak', { result });
    return;
  }
  if (flags.subscriptions !== '') {
    const result = await runSubscriptionBench(numberFlag(flags.subscriptions, 'subscriptions'), numberFlag(flags['sub-window'], 'sub-window'), launch, log);
    save('subscriptions', { result });
    return;
  }
  if (flags.profile !== '') {
    const result = await profileGateway(outDir, numberFlag(flags.profile, 'profile'), launch, log);
    log(`\nprofile: ${result.file} (${formatNumber(result.load.rps, 0)} req/s while profiled)`);
    return;
  }

  const observabilityCost = async () => {
    const result = await runObservabilityCost({
      launch,
      durationS: numberFlag(flags.duration, 'duration'),
      warmupS: numberFlag(flags.warmup, 'warmup'),
      rounds: numberFlag(flags.rounds, 'rounds'),
      connections: 10,
      log,
    });
    log(`\n${renderObservabilityCost(result)}`);
    return result;
  };
  if (flags.observability === 'true') {
    save('observability', { result: await observabilityCost() });
    return;
  }

  const startup = await startupFigures(dist ? [{ kind: 'tsx' }, dist] : [{ kind: 'tsx' }], launch.nodeArgs ?? []);
  const describeStartup = (f: StartupFigures): string =>
    `${f.entry}: median ${formatNumber(f.medianMs, 0)} ms (runs ${f.runsMs.map((ms) => ms.toFixed(0)).join(', ')}), RSS at ready ${formatNumber(f.readyRssMb, 0)} MB`;
  for (const figure of startup) log(`startup to /ready, ${describeStartup(figure)}`);
  const matrix: MatrixResult = { measurements: [], probes: [], problems: [] };
  for (const latencyMs of numberList(flags.latencies, 'latencies')) {
    const result = await runMatrix({
      latencyMs,
      gateway: launch,
      durationS: numberFlag(flags.duration, 'duration'),
      warmupS: numberFlag(flags.warmup, 'warmup'),
      rounds: numberFlag(flags.rounds, 'rounds'),
      only: flags.only === '' ? [] : flags.only.split(',').map((s) => s.trim()),
      log,
    });
    matrix.measurements.push(...result.measurements);
    matrix.probes.push(...result.probes);
    matrix.problems.push(...result.problems);
  }

  const observability = await observabilityCost();
  const rows = summarize(matrix.measurements);
  log(`\n${renderRows(rows)}`);
  log(`\n${renderProbes(matrix.probes)}`);
  log(`\nstartup to /ready (gateway process spawn to first 200):\n${startup.map((f) => `  ${describeStartup(f)}`).join('\n')}`);
  log(`\n${renderObservabilityCost(observability)}`);
  log(`\n${renderChecks(checkTargets(rows, matrix.probes, startup, lastMemoryGrowth()))}`);
  if (matrix.problems.length > 0) log(`\nCHECKS FAILED (figures suspect):\n${matrix.problems.join('\n')}`);
  log(`\nmachine: ${JSON.stringify(machine())}; bench took ${formatNumber((performance.now() - startedAt) / 1000, 0)} s`);
  save('bench', { startup, rows, observability, ...matrix });
}

await main();
// Autocannon and undici keep sockets alive; the children are stopped, so leave now.
process.exit(0);
