// deploy/grafana's dashboard queries only what the gateway exports: after traffic that exercises every
// instrument the dashboard reads (a failing upstream, a retry, a breaker opening, a cache hit, a token,
// a live subscription with its watcher's polls and an event),
// each metric name in each panel's PromQL has samples in a scrape, with every label the query groups
// or filters by. And the file is an importable dashboard (datasource input, unique panel ids).

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type LiveStack, startLiveStack } from '../helpers/live.js';
import { parseExposition, type Sample } from './scrape.js';

const dashboard = JSON.parse(readFileSync(new URL('../../deploy/grafana/nhn-gateway-dashboard.json', import.meta.url), 'utf8'));
/** Added by Prometheus when it scrapes (the target's labels), not by the gateway. */
const TARGET_LABELS = new Set(['job', 'instance']);

let stack: LiveStack;
let samples: Sample[];

beforeAll(async () => {
  stack = await startLiveStack({ env: { UPSTREAM_BREAKER_FAILURES: '3' } });
  await stack.gql('{ flavors { id } }');
  await stack.gql('{ flavors { id } }');
  await stack.gql('query { ');
  await stack.gql('mutation($i: IssueTokenInput!) { issueToken(input: $i) { id } }', {
    i: { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword },
  });
  // Live server state, before the compute breaker opens below: a subscription open while its watcher
  // polls and publishes a change.
  const id = (await stack.gql('{ servers(first: 50) { edges { node { id name } } } }')).data.servers.edges.find((e: any) => e.node.name === 'web-01').node.id;
  const live = stack.sse('subscription($id: ID!) { server(id: $id) { status } }', { id });
  await live.next((r) => r.data?.server?.status === 'ACTIVE');
  await new Promise((resolve) => setTimeout(resolve, 200));
  stack.sim.controls.changeServer(id, { action: 'stop' });
  await live.next((r) => r.data?.server?.status === 'SHUTOFF');
  stack.sim.controls.failNext('GET compute /os-availability-zone', 3, { status: 503 });
  await stack.gql('{ availabilityZones { name } }');
  samples = parseExposition(await stack.observability.metrics!.scrape());
  live.dispose();
});
afterAll(() => stack.close());

function targets(): { panel: string; expr: string }[] {
  const panels = dashboard.panels.flatMap((panel: any) => [panel, ...(panel.panels ?? [])]);
  return panels.flatMap((panel: any) => (panel.targets ?? []).map((target: any) => ({ panel: panel.title, expr: target.expr as string })));
}

const FUNCTIONS = new Set(['sum', 'rate', 'increase', 'histogram_quantile', 'max', 'by', 'le', 'label_values']);

test('every metric the dashboard queries is exported, with the labels the query uses', () => {
  const list = targets();
  expect(list.length).toBeGreaterThanOrEqual(15);
  const names = new Set(samples.map((s) => s.name));
  for (const { panel, expr } of list) {
    const metrics = [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\s*(?=\{|\[)/g)].map((m) => m[1]!).filter((m) => !FUNCTIONS.has(m));
    expect(metrics.length, `${panel}: ${expr}`).toBeGreaterThan(0);
    const grouped = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
    const filtered = [...expr.matchAll(/[{,]([a-z_]+)\s*(?:=~|!=|=)/g)].map((m) => m[1]!);
    for (const metric of metrics) {
      expect(names, `${panel}: ${metric} is not exported`).toContain(metric);
      const labels = new Set(samples.filter((s) => s.name === metric).flatMap((s) => Object.keys(s.labels)));
      for (const label of [...grouped, ...filtered]) {
        if (TARGET_LABELS.has(label)) continue;
        expect(labels, `${panel}: ${metric} has no label ${label}`).toContain(label);
      }
    }
  }
});

test('the dashboard imports: a Prometheus datasource input, unique panel ids, titles and descriptions', () => {
  expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
  expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
  const ids = dashboard.panels.map((panel: any) => panel.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const panel of dashboard.panels.filter((p: any) => p.type !== 'row')) {
    expect(panel.title).toBeTruthy();
    expect(panel.description).toBeTruthy();
    expect(panel.datasource.uid).toBe('${DS_PROMETHEUS}');
  }
  const titles = dashboard.panels.map((panel: any) => panel.title).join('\n');
  for (const wanted of ['Request rate', 'Latency quantiles', 'Errors by code', 'Upstream p95 latency', 'Upstream errors', 'Circuit breaker state', 'Cache hit rate']) {
    expect(titles).toContain(wanted);
  }
});
