// Time from spawning the gateway to its first 200 on /ready, run from TypeScript through tsx and
// compiled. The compiled copy goes to .bench-out/dist (not dist/, which belongs to `npm run build`),
// so measuring never touches what others build and ship.

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './processes.js';
import { readMemory } from './rss.js';
import { startGateway, type GatewayEntry, type GatewayLaunch, type SimulatorProcess } from './services.js';
import { median } from './stats.js';

/** Compiles src/ with tsconfig.build.json into `outDir`; the path of main.js, or an error text. */
export function buildGateway(outDir: string): { mainJs: string } | { error: string } {
  // A stale build must neither pass for a fresh one nor keep modules src/ no longer has.
  rmSync(outDir, { recursive: true, force: true });
  const result = spawnSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const mainJs = join(outDir, 'main.js');
  // tsc still emits when others' files have type errors; only a missing main.js stops us.
  if (!existsSync(mainJs)) return { error: `${result.stdout}${result.stderr}`.trim().slice(0, 2000) || `no ${mainJs}` };
  return { mainJs };
}

export interface GatewayChoice {
  /** How the gateway runs under load. */
  launch: GatewayLaunch;
  /** The compiled entry, when it built (startup is measured for it too). */
  dist?: GatewayEntry;
}

/**
 * The `--gateway dist|tsx`, `--gateway-flags` and `--no-dist` flags of run.ts and soak.ts: compiled
 * by default (what the Dockerfile runs; tsx alone adds about 90 MB of RSS), tsx when asked or when
 * the build fails.
 */
export function chooseGateway(outDir: string, flags: { gateway: string; 'gateway-flags': string; 'no-dist': string }, log: (line: string) => void): GatewayChoice {
  if (!['dist', 'tsx'].includes(flags.gateway)) throw new Error('--gateway must be dist or tsx');
  let dist: GatewayEntry | undefined;
  if (flags['no-dist'] !== 'true') {
    const built = buildGateway(join(outDir, 'dist'));
    if ('mainJs' in built) dist = { kind: 'dist', mainJs: built.mainJs };
    else log(`could not compile the gateway; running it with tsx:\n${built.error}`);
  }
  const nodeArgs = flags['gateway-flags'].split(' ').filter(Boolean);
  const entry = flags.gateway === 'dist' && dist ? dist : { kind: 'tsx' as const };
  log(`gateway under load: ${entry.kind}${nodeArgs.length > 0 ? ` ${nodeArgs.join(' ')}` : ''}`);
  return { launch: { entry, nodeArgs }, dist };
}

/** The flag specs behind chooseGateway, for parseFlags. */
export const GATEWAY_FLAGS = {
  gateway: { default: 'dist', help: 'how to run the gateway: dist (compiled, as the Dockerfile does) or tsx (as npm start does)' },
  'gateway-flags': { default: '', help: 'extra node flags for the gateway, e.g. "--max-old-space-size=128"' },
  'no-dist': { default: 'false', help: 'do not compile the gateway: tsx only' },
};

export interface StartupFigures {
  entry: GatewayEntry['kind'];
  runsMs: number[];
  medianMs: number;
  /** RSS right after /ready answered, before any query: the floor under every peak. */
  readyRssMb: number;
}

/** Starts and stops the gateway `runs` times per entry, alternating entries. */
export async function measureStartup(simulator: SimulatorProcess, entries: GatewayEntry[], runs: number, nodeArgs: string[] = []): Promise<StartupFigures[]> {
  const figures: StartupFigures[] = entries.map((entry) => ({ entry: entry.kind, runsMs: [], medianMs: Number.NaN, readyRssMb: Number.NaN }));
  const rss: number[][] = entries.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (const [i, entry] of entries.entries()) {
      const gateway = await startGateway({ simulator, entry, nodeArgs, name: `gateway-${entry.kind}` });
      figures[i]!.runsMs.push(gateway.startupMs);
      rss[i]!.push(readMemory(gateway.child.pid).rssMb);
      await gateway.child.stop();
    }
  }
  figures.forEach((figure, i) => {
    figure.medianMs = median(figure.runsMs);
    figure.readyRssMb = median(rss[i]!);
  });
  return figures;
}
