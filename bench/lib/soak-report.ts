// What the soak prints: requests served, error rate by GraphQL code against the injected fault rate,
// latency percentiles, and the gateway's RSS at start and end.

import type { Outcome } from './soak-traffic.js';
import { percentile } from './stats.js';
import { formatNumber, renderTable } from './table.js';

export interface InjectedFaults {
  /** The configured fraction of calls answered with 503. */
  rate: number;
  services: string[];
  /** From the simulator's request log: calls and 503s per service. */
  byService: Record<string, { calls: number; faults: number }>;
}

export interface OperationFigures {
  op: string;
  requests: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  codes: Record<string, number>;
}

export interface SoakSummary {
  seconds: number;
  requests: number;
  failed: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  byOperation: OperationFigures[];
  /** Requests that carried each error code (a request with two codes counts for both). */
  byCode: Record<string, number>;
  injected: InjectedFaults;
  rssStartMb: number;
  rssEndMb: number;
}

function figures(op: string, outcomes: Outcome[]): OperationFigures {
  const codes: Record<string, number> = {};
  for (const outcome of outcomes) for (const code of new Set(outcome.codes)) codes[code] = (codes[code] ?? 0) + 1;
  const latencies = outcomes.map((o) => o.ms);
  return {
    op,
    requests: outcomes.length,
    failed: outcomes.filter((o) => o.codes.length > 0).length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    codes,
  };
}

export function summarizeSoak(outcomes: Outcome[], seconds: number, rssStartMb: number, rssEndMb: number, injected: InjectedFaults): SoakSummary {
  const byOp = new Map<string, Outcome[]>();
  for (const outcome of outcomes) byOp.set(outcome.op, [...(byOp.get(outcome.op) ?? []), outcome]);
  const all = figures('all', outcomes);
  return {
    seconds,
    requests: all.requests,
    failed: all.failed,
    rps: all.requests / seconds,
    p50Ms: all.p50Ms,
    p99Ms: all.p99Ms,
    byOperation: [...byOp.entries()].map(([op, list]) => figures(op, list)).sort((a, b) => a.op.localeCompare(b.op)),
    byCode: all.codes,
    injected,
    rssStartMb,
    rssEndMb,
  };
}

const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${formatNumber((100 * part) / whole, 2)}%`);

export function renderSoakReport(s: SoakSummary): string {
  const operations = renderTable(
    ['operation', 'requests', 'with errors', 'error rate', 'p50 ms', 'p99 ms', 'codes'],
    s.byOperation.map((o) => [
      o.op,
      o.requests,
      o.failed,
      percent(o.failed, o.requests),
      formatNumber(o.p50Ms),
      formatNumber(o.p99Ms),
      Object.entries(o.codes).map(([code, n]) => `${code} ${n}`).join(', '),
    ]),
  );
  const codes = renderTable(
    ['error code', 'requests', 'of all requests'],
    Object.entries(s.byCode).sort((a, b) => b[1] - a[1]).map(([code, n]) => [code, n, percent(n, s.requests)]),
  );
  // A faulty service the gateway never called (its answers all cached) still gets its line.
  const services = [...new Set([...s.injected.services, ...Object.keys(s.injected.byService)])];
  const injected = renderTable(
    ['upstream service', 'calls', '503 injected', 'observed rate', 'configured rate'],
    services.map((service) => [service, s.injected.byService[service] ?? { calls: 0, faults: 0 }] as const).map(([service, t]) => [
      service,
      t.calls,
      t.faults,
      percent(t.faults, t.calls),
      s.injected.services.includes(service) ? percent(s.injected.rate, 1) : '0%',
    ]),
  );
  return [
    `served ${s.requests} requests in ${formatNumber(s.seconds, 0)} s (${formatNumber(s.rps, 0)}/s); ${s.failed} with errors (${percent(s.failed, s.requests)}); ` +
      `p50 ${formatNumber(s.p50Ms)} ms, p99 ${formatNumber(s.p99Ms)} ms`,
    `gateway RSS: start ${formatNumber(s.rssStartMb)} MB, end ${formatNumber(s.rssEndMb)} MB (${s.rssEndMb >= s.rssStartMb ? '+' : ''}${formatNumber(s.rssEndMb - s.rssStartMb)} MB)`,
    operations,
    codes,
    `injected faults (simulator request log):\n${injected}`,
  ].join('\n\n');
}
