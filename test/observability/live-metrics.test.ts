// Live server state in /metrics: open subscriptions by field, the watcher's polls, and the lag of
// each event, over a real WebSocket and SSE subscription.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { serveMetrics, type MetricsServer } from '../../src/observability/index.js';
import { eventually } from '../helpers/gateway.js';
import { type LiveStack, startLiveStack } from '../helpers/live.js';
import { parseExposition, type Sample, series } from './scrape.js';

let stack: LiveStack;
let server: MetricsServer;

async function scrape(): Promise<Sample[]> {
  return parseExposition(await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text());
}

beforeAll(async () => {
  stack = await startLiveStack({ env: { METRICS_PORT: '0' } });
  server = await serveMetrics(stack.observability.metrics!, stack.config.metrics.port!, '127.0.0.1');
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

test('subscriptions open by field, watcher polls by outcome, and the lag of events', async () => {
  const list = await stack.gql('{ servers(first: 50) { edges { node { id name } } } }');
  const id = list.data.servers.edges.find((e: any) => e.node.name === 'web-01').node.id;
  const one = stack.sse('subscription($id: ID!) { server(id: $id) { status } }', { id });
  const all = stack.ws('subscription { serverChanges { kind server { id status } } }');
  await one.next((r) => r.data?.server?.status === 'ACTIVE');
  await new Promise((resolve) => setTimeout(resolve, 200));
  stack.sim.controls.changeServer(id, { action: 'stop' });
  await all.next((r) => r.data?.serverChanges.server.id === id && r.data.serverChanges.server.status === 'SHUTOFF');

  let samples = await scrape();
  expect(series(samples, 'nhn_gateway_subscriptions_open')).toEqual({ 'subscription=server': 1, 'subscription=serverChanges': 1 });
  expect(series(samples, 'nhn_gateway_watcher_polls_total')['outcome=success']).toBeGreaterThan(0);
  expect(series(samples, 'nhn_gateway_watcher_lag_seconds_count')['']).toBeGreaterThan(0);

  one.dispose();
  all.dispose();
  // The streams end a moment after the clients go.
  await eventually(async () => {
    samples = await scrape();
    return Object.values(series(samples, 'nhn_gateway_subscriptions_open')).every((n) => n === 0);
  });
  expect(series(samples, 'nhn_gateway_subscriptions_open')).toEqual({ 'subscription=server': 0, 'subscription=serverChanges': 0 });
});
