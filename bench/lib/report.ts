// Turns the raw runs into the table the issue asks for (medians over rounds, gateway / baseline
// ratios) and checks the targets against it.

import type { Measurement } from './measure.js';
import type { ProbeFigure } from './matrix.js';
import type { StartupFigures } from './startup.js';
import { median } from './stats.js';
import { formatNumber, renderTable } from './table.js';

export interface Row {
  scenario: string;
  latencyMs: number;
  connections: number;
  target: string;
  role: Measurement['role'];
  rounds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  callsPerRequest: number;
  /** The highest peak of all rounds. */
  peakRssMb: number;
  failed: number;
  /** Gateway rows: gateway / baseline of the same scenario, latency and connections. */
  rpsRatio?: number;
  p50Ratio?: number;
}

const sameRun = (a: { scenario: string; latencyMs: number; connections: number }, b: typeof a): boolean =>
  a.scenario === b.scenario && a.latencyMs === b.latencyMs && a.connections === b.connections;

export function summarize(measurements: Measurement[]): Row[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.scenario}|${m.latencyMs}|${m.connections}|${m.target}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const rows: Row[] = [...groups.values()].map((runs) => {
    const first = runs[0]!;
    return {
      scenario: first.scenario,
      latencyMs: first.latencyMs,
      connections: first.connections,
      target: first.target,
      role: first.role,
      rounds: runs.length,
      rps: median(runs.map((r) => r.rps)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      callsPerRequest: median(runs.map((r) => r.callsPerRequest)),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
      failed: runs.reduce((sum, r) => sum + r.failed, 0),
    };
  });
  for (const row of rows) {
    if (row.role !== 'gateway') continue;
    const baseline = rows.find((other) => other.role === 'baseline' && sameRun(other, row));
    if (!baseline) continue;
    row.rpsRatio = row.rps / baseline.rps;
    row.p50Ratio = row.p50Ms / baseline.p50Ms;
  }
  return rows;
}

export function renderRows(rows: Row[]): string {
  return renderTable(
    ['scenario', 'latency ms', 'conns', 'target', 'req/s', 'p50 ms', 'p99 ms', 'calls/req', 'peak RSS MB', 'req/s gw/base', 'p50 gw/base', 'failed'],
    rows.map((r) => [
      r.scenario,
      r.latencyMs,
      r.connections,
      r.target,
      formatNumber(r.rps, 0),
      formatNumber(r.p50Ms, 2),
      formatNumber(r.p99Ms, 2),
      formatNumber(r.callsPerRequest, 2),
      formatNumber(r.peakRssMb, 0),
      r.rpsRatio === undefined ? '' : formatNumber(r.rpsRatio, 2),
      r.p50Ratio === undefined ? '' : formatNumber(r.p50Ratio, 2),
      r.failed,
    ]),
  );
}

export function renderProbes(probes: ProbeFigure[]): string {
  return renderTable(
    ['latency ms', 'query', 'target', 'upstream calls (one request alone)'],
    probes.map((p) => [p.latencyMs, p.query, p.target, p.calls]),
  );
}

export interface TargetCheck {
  target: string;
  limit: string;
  measured: string;
  /** undefined: not measured in this run. */
  met?: boolean;
}

export interface MemoryGrowth {
  growthMb: number;
  seconds: number;
  /** Where the figure comes from (the last --soak-memory run, with its time). */
  source: string;
}

export function checkTargets(rows: Row[], probes: ProbeFigure[], startup: StartupFigures[], growth?: MemoryGrowth): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const probe = (query: string, target: string) => probes.filter((p) => p.query === query && p.target === target).map((p) => p.calls);
  const row = (scenario: string, latencyMs: number, connections: number, target: string) =>
    rows.find((r) => r.scenario === scenario && r.latencyMs === latencyMs && r.connections === connections && r.target === target);
  const add = (target: string, limit: string, value: number | undefined, max: number, digits = 1, unit = '', atLeast = false): void => {
    const measured = value === undefined || Number.isNaN(value) ? 'not measured' : `${formatNumber(value, digits)}${unit}`;
    const met = value === undefined || Number.isNaN(value) ? undefined : atLeast ? value >= max : value <= max;
    checks.push({ target, limit, measured, met });
  };

  const maxOf = (values: number[]) => (values.length === 0 ? undefined : Math.max(...values));
  add('Q1 upstream calls, cold', '<= 4', maxOf([...probe('Q1 cold', 'gateway-cold'), ...probe('Q1 first request', 'gateway')]), 4, 0);
  add('Q1 upstream calls, warm', '<= 1', maxOf(probe('Q1 warm', 'gateway')), 1, 0);
  add('Q1 p50 at 20 ms, 1 conn, cold', '<= 50 ms', row('Q1 cold', 20, 1, 'gateway-cold')?.p50Ms, 50, 1, ' ms');
  add('Q1 p50 at 20 ms, 1 conn, warm', '<= 30 ms', row('Q1 warm', 20, 1, 'gateway')?.p50Ms, 30, 1, ' ms');
  add('Q1 req/s at 0 ms, 10 conns, warm vs cached baseline', '>= 0.70x', row('Q1 warm', 0, 10, 'gateway')?.rpsRatio, 0.7, 2, 'x', true);
  add('Q1 req/s at 0 ms, 10 conns, cold vs uncached baseline', '>= 0.70x', row('Q1 cold', 0, 10, 'gateway-cold')?.rpsRatio, 0.7, 2, 'x', true);
  add('peak RSS, 50 concurrent Q1', '< 200 MB', maxOf(rows.filter((r) => r.target === 'gateway' && r.connections === 50).map((r) => r.peakRssMb)), 200, 0, ' MB');
  add('RSS growth over a long Q1 run (fitted)', 'none (< 10 MB)', growth?.growthMb, 10, 1, ` MB over ${growth?.seconds ?? '?'} s, ${growth?.source ?? ''}`);
  for (const figure of startup) add(`startup to /ready (${figure.entry})`, '< 2000 ms', figure.medianMs, 2000, 0, ' ms');
  return checks;
}

export function renderChecks(checks: TargetCheck[]): string {
  return renderTable(
    ['target', 'limit', 'measured', 'verdict'],
    checks.map((c) => [c.target, c.limit, c.measured, c.met === undefined ? 'not run' : c.met ? 'MET' : 'MISSED']),
  );
}
