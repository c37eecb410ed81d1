// SIGTERM ends every stream so that clients reconnect elsewhere: the SSE stream is cut without a
// `complete` event, the WebSocket closed with 1012; real graphql-sse and graphql-ws clients then
// subscribe again on a second gateway process.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway.js';
import { collect, LIVE_TEST_ENV } from '../helpers/live.js';

let first: GatewayProcess;
let second: GatewayProcess;
beforeAll(async () => {
  [first, second] = await Promise.all([startGatewayProcess(LIVE_TEST_ENV), startGatewayProcess(LIVE_TEST_ENV)]);
});
afterAll(async () => {
  await first.stop();
  await second.stop();
});

const SERVER_SUB = 'subscription($id: ID!) { server(id: $id) { id status } }';

test('after SIGTERM, SSE and WebSocket clients subscribe again on the second gateway', async () => {
  // Both embedded simulators are seeded alike: the same server ids.
  const body = await (
    await fetch(`${first.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ servers(first: 10) { edges { node { id name } } } }' }) })
  ).json();
  const id = (body as any).data.servers.edges.find((e: any) => e.node.name === 'web-01').node.id;

  const sseUrls: string[] = [];
  const wsUrls: string[] = [];
  const closeCodes: number[] = [];
  const target = (urls: string[]) => (urls.length === 0 ? first.origin : second.origin);
  const sseClient = createSseClient({
    url: () => {
      const url = `${target(sseUrls)}/graphql`;
      sseUrls.push(url);
      return url;
    },
    retryAttempts: 3,
    retry: () => new Promise((resolve) => setTimeout(resolve, 50)),
  });
  const wsClient = createWsClient({
    url: () => {
      const url = `${target(wsUrls).replace('http', 'ws')}/graphql`;
      wsUrls.push(url);
      return url;
    },
    webSocketImpl: WebSocket,
    retryAttempts: 3,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 50)),
    on: { closed: (event) => closeCodes.push((event as { code: number }).code) },
  });
  const sse = collect((sink) => sseClient.subscribe({ query: SERVER_SUB, variables: { id } }, sink));
  const ws = collect((sink) => wsClient.subscribe({ query: SERVER_SUB, variables: { id } }, sink));
  await sse.next((r) => r.data?.server.status === 'ACTIVE');
  await ws.next((r) => r.data?.server.status === 'ACTIVE');

  expect(await first.stop()).toBe(0);
  // The second gateway answers the new subscriptions with the server at once.
  await expect.poll(() => sse.results.length, { timeout: 10_000 }).toBe(2);
  await expect.poll(() => ws.results.length, { timeout: 10_000 }).toBe(2);
  expect(sse.completed).toBe(false);
  expect(ws.completed).toBe(false);
  expect(sseUrls).toEqual([`${first.origin}/graphql`, `${second.origin}/graphql`]);
  expect(wsUrls).toEqual([`${first.origin.replace('http', 'ws')}/graphql`, `${second.origin.replace('http', 'ws')}/graphql`]);
  expect(closeCodes[0]).toBe(1012);
  expect(first.output()).toMatch(/shutting down/);
  sseClient.dispose();
  await wsClient.dispose();
}, 60_000);
