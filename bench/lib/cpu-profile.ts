// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: by function (self and
// inclusive time) and by area (a package in node_modules, a file of src/, node internals, GC, idle).

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './processes.js';
import { formatNumber, renderTable } from './table.js';

const REPO_URL = pathToFileURL(repoRoot).href;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface TimeShare {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not spent idle. */
  busyMs: number;
  selfByFunction: TimeShare[];
  inclusiveByFunction: TimeShare[];
  byArea: TimeShare[];
}

const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** `node_modules/graphql/execution/execute.js` -> `graphql`, `src/upstream/http.ts` -> `src/upstream/http.ts`. */
export function areaOf(url: string, functionName: string): string {
  if (SPECIAL.has(functionName)) return functionName;
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return shortUrl(url);
}

/** A url short enough to read: from the package in `node_modules/`, else relative to the repository. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  return url.startsWith(REPO_URL) ? url.slice(REPO_URL.length) : url;
}

function functionKey(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (SPECIAL.has(functionName)) return functionName;
  const where = url === '' ? '' : ` ${shortUrl(url)}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${where}`;
}

function top(map: Map<string, number>, msPerHit: number, totalMs: number, count: number): TimeShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => ({ name, ms: hits * msPerHit, percent: (100 * hits * msPerHit) / totalMs }));
}

export function summarizeProfile(file: string, count = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const totalHits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = totalHits === 0 ? 0 : totalMs / totalHits;

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const area = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const key = functionKey(node);
    self.set(key, (self.get(key) ?? 0) + hits);
    const nodeArea = areaOf(node.callFrame.url, node.callFrame.functionName);
    area.set(nodeArea, (area.get(nodeArea) ?? 0) + hits);
    // Each function on the stack once, however often it recurses.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const stackKey = functionKey(byId.get(id)!);
      if (SPECIAL.has(stackKey) || seen.has(stackKey)) continue;
      seen.add(stackKey);
      inclusive.set(stackKey, (inclusive.get(stackKey) ?? 0) + hits);
    }
  }
  const idleMs = (self.get('(idle)') ?? 0) * msPerHit;
  return {
    totalMs,
    busyMs: totalMs - idleMs,
    selfByFunction: top(self, msPerHit, totalMs, count),
    inclusiveByFunction: top(inclusive, msPerHit, totalMs, count),
    byArea: top(area, msPerHit, totalMs, count),
  };
}

export function renderProfileSummary(summary: ProfileSummary): string {
  const table = (title: string, shares: TimeShare[]): string =>
    `${title}\n${renderTable(['ms', '%', 'where'], shares.map((s) => [formatNumber(s.ms, 0), formatNumber(s.percent, 1), s.name]))}`;
  return [
    `profile: ${formatNumber(summary.totalMs, 0)} ms, busy ${formatNumber(summary.busyMs, 0)} ms (${formatNumber((100 * summary.busyMs) / summary.totalMs, 0)}%)`,
    table('by area (self time)', summary.byArea),
    table('top functions by self time', summary.selfByFunction),
    table('top functions by inclusive time', summary.inclusiveByFunction),
  ].join('\n\n');
}
