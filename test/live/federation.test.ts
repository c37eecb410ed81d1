// Subscriptions through a federation gateway: Hive Gateway (runtime, in-process) reaches this
// subgraph over GraphQL-over-SSE, and resolves fields of another subgraph on each event.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse } from '../../src/schema/graphql.js';
import { type LiveStack, startLiveStack } from '../helpers/live.js';

let stack: LiveStack;
let teams: Server;
let gateway: ReturnType<typeof createGatewayRuntime>;

beforeAll(async () => {
  stack = await startLiveStack();
  const typeDefs = parse(/* GraphQL */ `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
    type Server @key(fields: "id") {
      id: ID!
      owner: String!
    }
    type Query {
      teamCount: Int!
    }
  `);
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: { Query: { teamCount: () => 1 }, Server: { owner: () => 'team-web' } } as never,
  });
  teams = createServer(createYoga({ schema, logging: false }));
  await new Promise<void>((resolve) => teams.listen(0, '127.0.0.1', resolve));
  const teamsUrl = `http://127.0.0.1:${(teams.address() as AddressInfo).port}/graphql`;
  const committed = readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8');
  const composed = composeServices([
    { name: 'compute', url: `${stack.origin}/graphql`, typeDefs: parse(committed) },
    { name: 'teams', url: teamsUrl, typeDefs },
  ]);
  expect(composed.errors ?? []).toEqual([]);
  gateway = createGatewayRuntime({
    supergraph: composed.supergraphSdl!,
    logging: false,
    // Hive Gateway subscribes to a subgraph with a GET (GraphQL over SSE), which this gateway's CSRF
    // check refuses unless the request carries its header (README, "Live server state").
    transportEntries: { compute: { headers: [['x-graphql-csrf', '1']] } },
  });
});

afterAll(async () => {
  await gateway?.dispose();
  await new Promise((resolve) => teams.close(resolve));
  await stack.close();
});

test('serverChanges through Hive Gateway, with a field of another subgraph on each event', async () => {
  const body = await stack.gql('{ servers(first: 10) { edges { node { id name } } } }');
  const id = body.data.servers.edges.find((e: any) => e.node.name === 'win-01').node.id;
  const response = await gateway.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription($f: ServerChangeFilter) { serverChanges(filter: $f) { kind server { id status owner } } }', variables: { f: { ids: [id] } } }),
  });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  // Let the subgraph's watcher list the project before the change.
  await new Promise((resolve) => setTimeout(resolve, 200));
  stack.sim.controls.changeServer(id, { action: 'stop' });
  const until = Date.now() + 10_000;
  while (!/"status":"SHUTOFF"/.test(text) && Date.now() < until) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += decoder.decode(chunk.value);
  }
  await reader.cancel();
  const events = text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)));
  expect(events.at(-1)).toEqual({ data: { serverChanges: { kind: 'UPDATED', server: { id, status: 'SHUTOFF', owner: 'team-web' } } } });
});
