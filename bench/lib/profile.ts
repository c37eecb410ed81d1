// `npm run bench -- --profile 20`: a warm gateway under Q1 at 10 connections and 0 ms upstream
// latency, run with --cpu-prof; the profile lands in .bench-out/profiles/ and is summarized. Profile
// the compiled gateway where possible: it is what production runs, and its line numbers are real
// (tsx's transform puts a module's code on other lines than its source).

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderProfileSummary, summarizeProfile } from './cpu-profile.js';
import { runLoad, type LoadResult } from './load.js';
import { graphqlBody, Q1 } from './queries.js';
import { startGateway, startSimulatorProcess, type GatewayLaunch } from './services.js';

export async function profileGateway(
  outDir: string,
  seconds: number,
  launch: GatewayLaunch,
  log: (line: string) => void,
): Promise<{ file: string; load: LoadResult }> {
  const dir = join(outDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  const simulator = await startSimulatorProcess({ latencyMs: { '*': 0 }, addServers: 100 });
  try {
    const gateway = await startGateway({
      simulator,
      name: 'gateway-profiled',
      entry: launch.entry,
      // main.ts exits on SIGTERM after draining, which is when node writes the profile.
      nodeArgs: [...(launch.nodeArgs ?? []), '--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    const body = graphqlBody(Q1);
    log(`profiling the gateway (${launch.entry?.kind ?? 'tsx'}): warm-up 3 s, then Q1 at 10 connections for ${seconds} s`);
    await runLoad({ url: gateway.graphqlUrl, body, connections: 10, durationS: 3 });
    const load = await runLoad({ url: gateway.graphqlUrl, body, connections: 10, durationS: seconds });
    await gateway.child.stop();
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
    log(renderProfileSummary(summarizeProfile(join(dir, file), 20)));
    return { file: join(dir, file), load };
  } finally {
    await simulator.child.stop();
  }
}
