// Subscriptions over real SSE (graphql-sse, distinct connections mode) and WebSocket (graphql-ws)
// clients, against the simulator: what the gateway does itself, what happens behind its back, and
// what a deleted server looks like.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { type LiveStack, startLiveStack } from '../helpers/live.js';

let stack: LiveStack;
let choices: { flavorId: string; networkId: string; imageId: string };
let idOf: (name: string) => string;

beforeAll(async () => {
  stack = await startLiveStack();
  const body = await stack.gql('{ servers(first: 50) { edges { node { id name status image { id } } } } flavors { id name } networks { id external } }');
  const nodes = body.data.servers.edges.map((e: any) => e.node);
  idOf = (name) => nodes.find((n: any) => n.name === name)!.id;
  choices = {
    flavorId: body.data.flavors.find((f: any) => f.name === 'm2.c2m4').id,
    networkId: body.data.networks.find((n: any) => !n.external).id,
    imageId: nodes.find((n: any) => n.name === 'web-01').image.id,
  };
});
afterAll(() => stack.close());

const SERVER_SUB = 'subscription($id: ID!, $settled: Boolean) { server(id: $id, untilSettled: $settled) { id name status taskState flavor { name } } }';
const CHANGES_SUB =
  'subscription($f: ServerChangeFilter) { serverChanges(filter: $f) { kind changedFields observedAt server { id name status taskState flavor { name } keypair { name } image { id } volumeAttachments { volumeId } } } }';

async function createServer(name: string): Promise<string> {
  const body = await stack.gql('mutation($i: CreateServerInput!) { createServer(input: $i) { server { id status } } }', {
    i: {
      name,
      imageId: choices.imageId,
      flavorId: choices.flavorId,
      networks: [{ networkId: choices.networkId }],
      keyName: 'demo-key',
      blockDevices: [{ sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: choices.imageId, bootIndex: 0, volumeSize: 20, deleteOnTermination: true }],
    },
  });
  expect(body.errors).toBeUndefined();
  return body.data.createServer.server.id;
}

const statusOf = (result: any) => result.data?.server?.status;

describe('what the gateway does, seen live', () => {
  test('BUILD -> ACTIVE after createServer, over SSE (server) and WebSocket (serverChanges); untilSettled completes', async () => {
    const changes = stack.ws(CHANGES_SUB, { f: { statuses: ['BUILD', 'ACTIVE'] } });
    // The watcher's first list is done once a subscription of this project sees anything; wait for it
    // through a server subscription that emits at once.
    const probe = stack.sse(SERVER_SUB, { id: idOf('web-01') });
    await probe.next((r) => statusOf(r) === 'ACTIVE');
    probe.dispose();

    const id = await createServer('live-build-01');
    const sse = stack.sse(SERVER_SUB, { id, settled: true });
    await sse.done;
    const statuses = sse.results.map(statusOf);
    expect(statuses[0]).toBe('BUILD');
    expect(statuses.at(-1)).toBe('ACTIVE');
    expect(sse.completed).toBe(true);
    expect(sse.results.every((r) => r.errors === undefined)).toBe(true);

    const created = await changes.next((r) => r.data?.serverChanges.server.id === id && r.data.serverChanges.kind === 'CREATED');
    expect(created.data.serverChanges.changedFields).toEqual(expect.arrayContaining(['status', 'taskState', 'name']));
    expect(created.data.serverChanges.server).toMatchObject({ name: 'live-build-01', status: 'BUILD', flavor: { name: 'm2.c2m4' }, keypair: { name: 'demo-key' } });
    const active = await changes.next((r) => r.data?.serverChanges.server.id === id && r.data.serverChanges.server.status === 'ACTIVE');
    expect(active.data.serverChanges).toMatchObject({ kind: 'UPDATED', changedFields: expect.arrayContaining(['status']) });
    changes.dispose();
  });

  test('a server already settled completes at once with untilSettled', async () => {
    const sub = stack.ws(SERVER_SUB, { id: idOf('web-01'), settled: true });
    await sub.done;
    expect(sub.results.map(statusOf)).toEqual(['ACTIVE']);
  });

  test('deleting a server still being built (a build request: no DELETED row upstream) gives DELETED and completes', async () => {
    const id = await createServer('live-delete-01');
    const sub = stack.sse(SERVER_SUB, { id });
    await sub.next((r) => statusOf(r) === 'BUILD');
    const deleted = await stack.gql('mutation($id: ID!) { deleteServer(id: $id) }', { id });
    expect(deleted.errors).toBeUndefined();
    await sub.done;
    expect(statusOf(sub.results.at(-1))).toBe('DELETED');
    // The relations of a deleted server are null, without errors.
    expect(sub.results.at(-1)).toEqual({ data: { server: expect.objectContaining({ id, status: 'DELETED', flavor: null }) } });
  });

  test('resize through the gateway: the event resolves the new flavor (fresh loaders per event)', async () => {
    const id = idOf('web-01');
    const sub = stack.ws(CHANGES_SUB, { f: { ids: [id] } });
    const small = (await stack.gql('{ flavors { id name } }')).data.flavors.find((f: any) => f.name === 'm2.c4m8').id;
    // The subscription has joined once its first poll listed the project; a mutation wakes it anyway.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const resized = await stack.gql('mutation($id: ID!, $f: ID!) { resizeServer(id: $id, flavorId: $f) { status } }', { id, f: small });
    expect(resized.errors).toBeUndefined();
    const after = await sub.next((r) => r.data?.serverChanges.server.status === 'ACTIVE' && r.data.serverChanges.server.flavor.name === 'm2.c4m8');
    expect(after.data.serverChanges.changedFields).toContain('flavor');
    sub.dispose();
  });
});

describe('behind the gateway\'s back', () => {
  test('a stop made in the console is seen by server(id) and serverChanges', async () => {
    const id = idOf('win-01');
    const one = stack.sse(SERVER_SUB, { id });
    const all = stack.ws(CHANGES_SUB);
    await one.next((r) => statusOf(r) === 'ACTIVE');
    await new Promise((resolve) => setTimeout(resolve, 100));
    stack.sim.controls.changeServer(id, { action: 'stop' });
    await one.next((r) => statusOf(r) === 'SHUTOFF');
    const change = await all.next((r) => r.data?.serverChanges.server.id === id && r.data.serverChanges.server.status === 'SHUTOFF');
    expect(change.data.serverChanges).toMatchObject({ kind: 'UPDATED', changedFields: expect.arrayContaining(['status']) });
    expect(Date.parse(change.data.serverChanges.observedAt)).not.toBeNaN();
    one.dispose();
    all.dispose();
  });

  test('a server deleted in the console gives DELETED (from changes-since) and completes', async () => {
    const id = idOf('db-01');
    const sub = stack.ws(SERVER_SUB, { id });
    await sub.next((r) => statusOf(r) !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stack.sim.controls.changeServer(id, { action: 'delete' });
    await sub.done;
    expect(statusOf(sub.results.at(-1))).toBe('DELETED');
    expect(sub.results.every((r) => r.errors === undefined)).toBe(true);
  });
});

describe('a build request deleted in the console (Nova leaves no DELETED row for it)', () => {
  test('the watcher misses it in a delta, reads it, gets 404 and gives DELETED', async () => {
    const slow = await startLiveStack({ buildDelayMs: 20_000, scheduleDelayMs: 15_000 });
    try {
      const body = await slow.gql('{ servers(first: 10) { edges { node { id } } } }');
      expect(body.errors).toBeUndefined();
      const created = await slow.gql('mutation($i: CreateServerInput!) { createServer(input: $i) { server { id } } }', {
        i: {
          name: 'unscheduled-01',
          imageId: choices.imageId,
          flavorId: choices.flavorId,
          networks: [{ networkId: choices.networkId }],
          keyName: 'demo-key',
          blockDevices: [{ sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: choices.imageId, bootIndex: 0, volumeSize: 20, deleteOnTermination: true }],
        },
      });
      const id = created.data.createServer.server.id;
      const sub = slow.ws(SERVER_SUB, { id });
      await sub.next((r) => statusOf(r) === 'BUILD');
      await new Promise((resolve) => setTimeout(resolve, 100));
      slow.sim.controls.resetLog();
      slow.sim.controls.changeServer(id, { action: 'delete' });
      await sub.done;
      expect(statusOf(sub.results.at(-1))).toBe('DELETED');
      // Before any relist (every 3 s here): the one read of the server that vanished from the delta.
      expect(slow.calls()).toEqual({ 'GET compute /servers/detail': expect.any(Number), 'GET compute /servers/{id}': 1 });
      expect(slow.gateway.live.stats().watchers[0]!.relists).toBe(1);
    } finally {
      await slow.close();
    }
  });
});

describe('refusals', () => {
  test('an unknown server answers NOT_FOUND and completes', async () => {
    const sub = stack.sse(SERVER_SUB, { id: '00000000-0000-4000-8000-000000000000' });
    await sub.done;
    expect(sub.results[0].errors[0].extensions.code).toBe('NOT_FOUND');
  });

  test('a bad id is BAD_USER_INPUT before any upstream call', async () => {
    stack.sim.controls.resetLog();
    const sub = stack.ws(SERVER_SUB, { id: 'nope' });
    await sub.done.catch(() => undefined);
    expect(JSON.stringify(sub.results)).toContain('BAD_USER_INPUT');
    expect(stack.calls()).toEqual({});
  });

  test('the operation limits apply to subscription documents, over SSE and WebSocket, before any upstream call', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ');
    const doc = `subscription($id: ID!) { server(id: $id) { ${aliases} } }`;
    stack.sim.controls.resetLog();
    for (const sub of [stack.sse(doc, { id: idOf('web-01') }), stack.ws(doc, { id: idOf('web-01') })]) {
      await sub.done.catch(() => undefined);
      expect(JSON.stringify(sub.results)).toContain('QUERY_TOO_COMPLEX');
    }
    expect(stack.calls()).toEqual({});
  });

  test('the WebSocket upgrade refuses a foreign Origin, and accepts the gateway\'s own', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${stack.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin: 'https://evil.example' });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe(403);
    const accepted = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${stack.origin.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { origin: stack.origin });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
    });
    expect(accepted).toBe(101);
  });
});
