// The gateway as a Federation 2 subgraph: schema.graphql composes with another subgraph, a query
// runs across both through a gateway (Hive Gateway runtime, in-process, subgraphs on node:http), and
// `_entities` resolves many representations through the same batched loaders as everything else.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { parse } from '../../src/schema/graphql.js';
import { printSchemaFile } from '../../src/schema/print.js';
import { type Stack, startStack } from '../helpers/gateway.js';

let stack: Stack;
let ids: Record<string, string>;
let flavorIds: string[];
const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** A small second subgraph: teams own servers (by id) and feature some flavors. */
function teamsSubgraph() {
  const typeDefs = parse(/* GraphQL */ `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

    type Server @key(fields: "id") {
      id: ID!
      owner: String!
    }

    type Flavor @key(fields: "id") {
      id: ID!
    }

    type Query {
      favoriteServers: [Server!]!
      featuredFlavors: [Flavor!]!
    }
  `);
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: {
      Query: {
        favoriteServers: () => [ids['web-01'], ids['db-01']].map((id) => ({ id })),
        featuredFlavors: () => flavorIds.map((id) => ({ id })),
      },
      Server: { owner: (server: { id: string }) => (server.id === ids['db-01'] ? 'team-data' : 'team-web') },
    } as never,
  });
  return { typeDefs, yoga: createYoga({ schema, logging: false }) };
}

let gateway: ReturnType<typeof createGatewayRuntime>;

beforeAll(async () => {
  stack = await startStack();
  const body = await stack.gql('{ servers { edges { node { id name } } } flavors { id } }');
  ids = Object.fromEntries(body.data.servers.edges.map((e: any) => [e.node.name, e.node.id]));
  flavorIds = body.data.flavors.slice(0, 5).map((f: any) => f.id);

  const teams = teamsSubgraph();
  const computeUrl = await listen(stack.gateway.yoga);
  const teamsUrl = await listen(teams.yoga);
  const committed = readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8');
  const composed = composeServices([
    { name: 'compute', url: computeUrl, typeDefs: parse(committed) },
    { name: 'teams', url: teamsUrl, typeDefs: teams.typeDefs },
  ]);
  expect(composed.errors ?? []).toEqual([]);
  gateway = createGatewayRuntime({ supergraph: composed.supergraphSdl!, logging: false });
});

afterAll(async () => {
  await gateway?.dispose();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await stack.close();
});

beforeEach(() => stack.sim.controls.resetLog());

async function throughGateway(query: string) {
  const response = await gateway.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

describe('composed with another subgraph', () => {
  test('a query from this subgraph into the other', async () => {
    const body = await throughGateway('{ servers(filter: { name: "^(web|db)-01$" }) { edges { node { name owner flavor { name } } } } }');
    expect(body.errors).toBeUndefined();
    const owners = Object.fromEntries(body.data.servers.edges.map((e: any) => [e.node.name, e.node.owner]));
    expect(owners).toEqual({ 'web-01': 'team-web', 'db-01': 'team-data' });
  });

  test('a query from the other subgraph into this one (entities by key)', async () => {
    const body = await throughGateway('{ favoriteServers { id name status owner image { name } } featuredFlavors { id name vcpus } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.favoriteServers.map((s: any) => s.name)).toEqual(['web-01', 'db-01']);
    expect(body.data.featuredFlavors.map((f: any) => f.id)).toEqual(flavorIds);
    // Five flavors: no call at all (the catalogue read in beforeAll is cached). Two servers: one GET
    // each (Nova has no id filter). Their two images: one call.
    expect(stack.calls()).toEqual({ 'GET compute /servers/{id}': 2, 'GET image /v2/images': 1 });
  });
});

describe('_entities and _service', () => {
  test('N representations of a type cost one upstream batch', async () => {
    const images = await stack.gql('{ servers { edges { node { image { id } } } } }');
    const imageIds = [...new Set(images.data.servers.edges.map((e: any) => e.node.image.id as string))];
    expect(imageIds.length).toBeGreaterThan(2);
    const network = (await stack.gql('{ securityGroups { id } ports { id } floatingIps { id } }')).data;
    expect(network.ports.length).toBeGreaterThan(2);
    const representations = [
      ...network.securityGroups.map(({ id }: { id: string }) => ({ __typename: 'SecurityGroup', id })),
      ...network.ports.map(({ id }: { id: string }) => ({ __typename: 'Port', id })),
      ...network.floatingIps.map(({ id }: { id: string }) => ({ __typename: 'FloatingIp', id })),
      ...imageIds.map((id) => ({ __typename: 'Image', id })),
      ...flavorIds.map((id) => ({ __typename: 'Flavor', id })),
      { __typename: 'Keypair', name: 'demo-key' },
      { __typename: 'Keypair', name: 'ops-key' },
    ];
    // A simulator with the same seed has the same ids, and a fresh client has nothing cached.
    const cold = await startStack();
    try {
      const body = await cold.gql(
        `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Image { imageName: name } ... on Flavor { flavorName: name } ... on Keypair { fingerprint }
          ... on SecurityGroup { name } ... on Port { macAddress } ... on FloatingIp { address } } }`,
        { r: representations },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data._entities).toHaveLength(representations.length);
      expect(body.data._entities.every((e: any) => e !== null)).toBe(true);
      expect(cold.calls()).toEqual({
        'GET image /v2/images': 1,
        'GET compute /flavors/detail': 1,
        'GET compute /os-keypairs': 1,
        'GET network /v2.0/security-groups': 1,
        'GET network /v2.0/ports': 1,
        'GET network /v2.0/floatingips': 1,
      });
      const ports = cold.sim.controls.requestLog().find((e) => e.route === 'GET network /v2.0/ports');
      expect(new URL(ports!.path, 'http://x').searchParams.getAll('id')).toHaveLength(network.ports.length);
    } finally {
      await cold.close();
    }
  });

  test('PlacementPolicy representations: one list call for many, one GET for one; unknown ids are null', async () => {
    const fresh = await startStack();
    try {
      const created: string[] = [];
      for (const name of ['spread-a', 'spread-b']) {
        created.push((await fresh.gql(`mutation { createPlacementPolicy(name: "${name}") { id } }`)).data.createPlacementPolicy.id);
      }
      const missing = '00000000-0000-4000-8000-000000000000';
      const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on PlacementPolicy { name rule } } }';
      fresh.sim.controls.resetLog();
      const many = await fresh.gql(query, { r: [...created, missing].map((id) => ({ __typename: 'PlacementPolicy', id })) });
      expect(many).toEqual({ data: { _entities: [{ name: 'spread-a', rule: 'ANTI_AFFINITY' }, { name: 'spread-b', rule: 'ANTI_AFFINITY' }, null] } });
      expect(fresh.calls()).toEqual({ 'GET compute /os-server-groups': 1 });
      fresh.sim.controls.resetLog();
      const one = await fresh.gql(query, { r: [{ __typename: 'PlacementPolicy', id: created[1] }] });
      expect(one).toEqual({ data: { _entities: [{ name: 'spread-b', rule: 'ANTI_AFFINITY' }] } });
      expect(fresh.calls()).toEqual({ 'GET compute /os-server-groups/{id}': 1 });
    } finally {
      await fresh.close();
    }
  });

  test('an unknown key resolves to null', async () => {
    const body = await stack.gql('{ _entities(representations: [{ __typename: "Volume", id: "00000000-0000-4000-8000-000000000000" }]) { ... on Volume { id } } }');
    expect(body).toEqual({ data: { _entities: [null] } });
  });

  test('_service { sdl } is the committed schema', async () => {
    const body = await stack.gql('{ _service { sdl } }');
    expect(body.data._service.sdl.trim()).toBe(printSchemaFile().trim());
  });
});
