// `npm run bench -- --soak-memory 300`: Q1 at 50 connections for N seconds against one warm gateway,
// printing its RSS every 30 s, for the "no growth over 5 minutes" target. RSS swings by tens of MB
// with each major GC, so two single readings say little: growth is the least-squares line through a
// sample every 10 s, from the end of a warm-up (JIT, pools and caches settled) to the end. A leak
// shows as a steady slope; a one-off heap resize barely moves it.

import { runLoad, type LoadResult } from './load.js';
import { graphqlBody, Q1 } from './queries.js';
import { readMemory } from './rss.js';
import { startGateway, startSimulatorProcess, type GatewayLaunch } from './services.js';
import { formatNumber } from './table.js';

export interface MemorySample {
  atS: number;
  rssMb: number;
}

export interface MemorySoakResult {
  seconds: number;
  samples: MemorySample[];
  startMb: number;
  endMb: number;
  peakMb: number;
  growthMb: number;
  /** Least-squares slope over the samples, MB per minute. */
  slopeMbPerMin: number;
  /** The slope over the whole run, MB: the figure the "no growth" target is checked against. */
  fittedGrowthMb: number;
  load: LoadResult;
}

function slope(samples: MemorySample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = samples.reduce((s, p) => s + p.atS, 0) / n;
  const meanY = samples.reduce((s, p) => s + p.rssMb, 0) / n;
  const num = samples.reduce((s, p) => s + (p.atS - meanX) * (p.rssMb - meanY), 0);
  const den = samples.reduce((s, p) => s + (p.atS - meanX) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60;
}

export async function runMemorySoak(
  seconds: number,
  latencyMs: number,
  launch: GatewayLaunch,
  log: (line: string) => void,
  sampleEveryS = 10,
  printEveryS = 30,
): Promise<MemorySoakResult> {
  const simulator = await startSimulatorProcess({ latencyMs: { '*': latencyMs }, addServers: 100 });
  const gateway = await startGateway({ simulator, ...launch });
  try {
    const body = graphqlBody(Q1);
    log(`memory soak: warm-up 15 s, then Q1 at 50 connections for ${seconds} s (latency ${latencyMs} ms)`);
    await runLoad({ url: gateway.graphqlUrl, body, connections: 50, durationS: 15 });
    const startedAt = performance.now();
    const samples: MemorySample[] = [];
    const sample = (): void => {
      const atS = (performance.now() - startedAt) / 1000;
      const { rssMb } = readMemory(gateway.child.pid);
      samples.push({ atS, rssMb });
      if ((samples.length - 1) % Math.round(printEveryS / sampleEveryS) === 0) {
        log(`  t=${formatNumber(atS, 0).padStart(4)} s  RSS ${formatNumber(rssMb, 1)} MB`);
      }
    };
    sample();
    const timer = setInterval(sample, sampleEveryS * 1000);
    const load = await runLoad({ url: gateway.graphqlUrl, body, connections: 50, durationS: seconds });
    clearInterval(timer);
    if (seconds - samples.at(-1)!.atS > 1) sample();
    const { peakMb } = readMemory(gateway.child.pid);
    const startMb = samples[0]!.rssMb;
    const endMb = samples.at(-1)!.rssMb;
    const slopeMbPerMin = slope(samples);
    return { seconds, samples, startMb, endMb, peakMb, growthMb: endMb - startMb, slopeMbPerMin, fittedGrowthMb: (slopeMbPerMin * seconds) / 60, load };
  } finally {
    await gateway.child.stop();
    await simulator.child.stop();
  }
}
