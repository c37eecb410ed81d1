// Where runs leave their raw figures: .bench-out/<kind>-<time>.json and <kind>-latest.json (gitignored),
// each with the machine it ran on, since figures from another machine are not comparable.

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot } from './processes.js';

export function machine(): Record<string, string | number> {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** Writes the figures; answers the path, relative to the repository root. */
export function writeFigures(outDir: string, kind: string, figures: Record<string, unknown>): string {
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = JSON.stringify({ kind, machine: machine(), ...figures }, null, 2);
  const file = join(outDir, `${kind}-${stamp}.json`);
  writeFileSync(file, json);
  writeFileSync(join(outDir, `${kind}-latest.json`), json);
  return relative(repoRoot, file);
}
