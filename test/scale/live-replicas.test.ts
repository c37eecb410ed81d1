// Live server state across three gateway processes sharing a real Redis: one watcher per project
// whatever the number of replicas and subscribers, events reaching every replica's subscribers, a
// mutation through any replica waking the watcher wherever it runs, the watcher moving when its
// replica dies, and a Redis outage costing no subscription (each replica then polls for itself).
//
// Which replica polls is counted exactly: each replica reaches the compute API through a counting
// proxy of its own (NHN_COMPUTE_URL), so the simulator's calls are attributed to their replica.

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/gateway.js';
import { collect, LIVE_TEST_ENV, type Subscription } from '../helpers/live.js';
import { haveTools, type RedisServer, type Replicas, startRedis, startReplicas } from '../helpers/replicas.js';

const SERVER_SUB = 'subscription($id: ID!) { server(id: $id) { id status } }';
const CHANGES_SUB = 'subscription { serverChanges { kind server { id status } } }';
const LIST = 'GET /servers/detail';

interface CountingProxy {
  url: string;
  /** Calls by "METHOD /path-without-tenant-and-query" since the last reset. */
  counts: Map<string, number>;
  server: Server;
}

/** Forwards to the simulator, counting server list calls (the watcher's polls). */
async function countingProxy(sim: Simulator): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = (request.url ?? '').split('?')[0]!.replace(/^\/compute\/v2\/[^/]+/, '');
    const route = `${request.method} ${path}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
    const headers: Record<string, string> = {};
    for (const name of ['x-auth-token', 'content-type', 'accept', 'openstack-api-version', 'x-openstack-nova-api-version']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      const upstream = await fetch(sim.url + request.url, { method: request.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
      const body = Buffer.from(await upstream.arrayBuffer());
      response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      response.end(body);
    } catch {
      response.writeHead(502).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, counts, server };
}

function sse(origin: string, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Subscription {
  const client = createSseClient({ url: `${origin}/graphql`, retryAttempts: 0, singleConnection: false, headers });
  const sub = collect((sink) => client.subscribe({ query, variables }, sink));
  const dispose = sub.dispose;
  sub.dispose = () => {
    dispose();
    client.dispose();
  };
  return sub;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const statusOf = (result: any): string | undefined => result.data?.server?.status ?? result.data?.serverChanges?.server.status;

/** Waits, on each subscription, for a result received from now on with that status. */
function eachSees(subs: Subscription[], status: string, timeoutMs = 15_000): Promise<unknown> {
  return Promise.all(
    subs.map((sub) => {
      const from = sub.results.length;
      return sub.next((result) => sub.results.indexOf(result) >= from && statusOf(result) === status, timeoutMs);
    }),
  );
}

if (haveTools('redis-server')) {
  describe('live state across replicas', () => {
    let redis: RedisServer;
    let sim: Simulator;
    let stack: Replicas;
    let proxies: CountingProxy[];
    let ids: Record<string, string>;
    const subs: Subscription[] = [];

    const polls = () => proxies.map((p) => p.counts.get(LIST) ?? 0);
    const resetCounts = () => proxies.forEach((p) => p.counts.clear());
    /** The replica whose watcher polls (the only one listing servers over a window). */
    async function holder(): Promise<number> {
      resetCounts();
      await sleep(600);
      const counts = polls();
      const polling = counts.flatMap((count, index) => (count > 0 ? [index] : []));
      expect(polling, `list calls per replica: ${counts}`).toHaveLength(1);
      return polling[0]!;
    }

    beforeAll(async () => {
      redis = await startRedis();
      sim = await startSimulator({ port: 0, buildDelayMs: 300 });
      proxies = await Promise.all([0, 1, 2].map(() => countingProxy(sim)));
      // Each replica reaches compute through its own counting proxy.
      const groups = await Promise.all(
        proxies.map((proxy) =>
          startReplicas(1, {
            sim,
            redisUrl: redis.url,
            env: { ...LIVE_TEST_ENV, LIVE_LEASE_TTL_MS: '1000', NHN_COMPUTE_URL: `${proxy.url}/compute`, LOG_LEVEL: 'debug', REDIS_COMMAND_TIMEOUT_MS: '5000' },
          }),
        ),
      );
      expect(await eventually(() => groups.every((g) => /Redis connected/.test(g.replicas[0]!.output())))).toBe(true);
      const replicas = groups.map((g) => g.replicas[0]!);
      stack = {
        sim,
        replicas,
        calls: () => groups[0]!.calls(),
        gql: (replica, query, variables, headers) => groups[0]!.gql(typeof replica === 'string' ? replica : replicas[replica]!.origin, query, variables, headers),
        close: async () => void (await Promise.all(groups.map((g) => g.close()))),
      };
      const body = await stack.gql(0, '{ servers(first: 50) { edges { node { id name } } } }');
      ids = Object.fromEntries(body.data.servers.edges.map((e: any) => [e.node.name, e.node.id]));
    }, 90_000);
    afterAll(async () => {
      for (const sub of subs) sub.dispose();
      await stack?.close();
      await Promise.all((proxies ?? []).map((p) => new Promise((resolve) => p.server.close(resolve))));
      await sim?.close();
      await redis?.close();
    });

    test('200 subscribers over three replicas: one replica polls, as for one subscriber; a stop through another reaches the third', async () => {
      // One subscriber first: what one watcher costs.
      const first = sse(stack.replicas[0]!.origin, SERVER_SUB, { id: ids['win-01'] });
      subs.push(first);
      await first.next((r) => r.data?.server.status === 'ACTIVE');
      const alone = await holder();
      const perWindowAlone = polls()[alone]!;

      for (let i = 1; i < 200; i++) {
        const origin = stack.replicas[i % 3]!.origin;
        subs.push(i % 2 === 0 ? sse(origin, SERVER_SUB, { id: ids['win-01'] }) : sse(origin, CHANGES_SUB));
      }
      // server(id) subscribers get the server at once, on followers too (from the holder's snapshot).
      await Promise.all(subs.filter((_, i) => i % 2 === 0).map((s) => s.next((r) => r.data?.server.status === 'ACTIVE')));
      await sleep(300); // the serverChanges streams are open by now
      const polling = await holder();
      // Still one watcher, still a few list calls per window (not three replicas' worth).
      expect(polls()[polling]).toBeLessThanOrEqual(perWindowAlone * 2);

      // The stop goes through a replica that does not poll; subscribers everywhere see it.
      const [through, watching] = [0, 1, 2].filter((i) => i !== polling);
      const seen = eachSees(subs, 'SHUTOFF');
      const logged = stack.replicas.map((r) => r.output().length);
      const stopped = await stack.gql(through!, 'mutation($id: ID!) { stopServer(id: $id) { id } }', { id: ids['win-01'] });
      expect(stopped.errors).toBeUndefined();
      // The wake-up went through Redis to the replica that polls (each replica with a watcher of the project hears it).
      const woken = (i: number) => /live watcher woken by a mutation/.test(stack.replicas[i]!.output().slice(logged[i]));
      expect(await eventually(() => woken(polling))).toBe(true);
      const onThird = subs.filter((_, i) => i % 3 === watching);
      expect(onThird.length).toBeGreaterThan(60);
      await seen;
      for (const sub of subs) expect(sub.completed).toBe(false);
    }, 90_000);

    test('the lease holder dies: another replica takes the watcher over within the lease TTL, subscribers elsewhere miss nothing', async () => {
      const polling = await holder();
      stack.replicas[polling]!.child.kill('SIGKILL');
      await once(stack.replicas[polling]!.child, 'exit');
      const survivors = subs.filter((_, i) => i % 3 !== polling);
      // A change made behind the gateway's back while no replica polls.
      const seen = eachSees(survivors, 'ACTIVE');
      sim.controls.changeServer(ids['win-01']!, { action: 'start' });
      await seen;
      resetCounts();
      await sleep(600);
      const counts = polls();
      expect(counts[polling]).toBe(0);
      expect(counts.filter((count) => count > 0)).toHaveLength(1);
    }, 60_000);

    test('Redis stops: no subscription ends, each replica polls for itself and its subscribers still get events; one watcher again once Redis is back', async () => {
      const alive = [0, 1, 2].filter((i) => stack.replicas[i]!.child.exitCode === null && stack.replicas[i]!.child.signalCode === null);
      const live = subs.filter((_, i) => alive.includes(i % 3));
      await redis.kill();
      const stopped = eachSees(live, 'SHUTOFF');
      sim.controls.changeServer(ids['win-01']!, { action: 'stop' });
      await stopped;
      await redis.start();
      expect(await eventually(() => alive.every((i) => /Redis is reachable again/.test(stack.replicas[i]!.output())))).toBe(true);
      await sleep(1_500); // a lease TTL: the replicas settle on one holder
      const counts = polls();
      resetCounts();
      await sleep(600);
      expect(polls().filter((count) => count > 0), `before: ${counts}, after: ${polls()}`).toHaveLength(1);
      const started = eachSees(live, 'ACTIVE');
      sim.controls.changeServer(ids['win-01']!, { action: 'start' });
      await started;
      for (const sub of live) expect(sub.completed).toBe(false);
    }, 60_000);

    test("what live state keeps in Redis (leases, watcher snapshots) holds no token or password, a pass-through subscriber's included", async () => {
      const alive = [0, 1, 2].filter((i) => stack.replicas[i]!.child.exitCode === null && stack.replicas[i]!.child.signalCode === null);
      const issued = await stack.gql(alive[0]!, 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { id } }', {
        i: { tenantId: sim.tenantId, username: sim.username, password: sim.apiPassword },
      });
      const token: string = issued.data.issueToken.id;
      // A pass-through subscriber (its token proven, then usable by the watcher) and a change to publish.
      const own = sse(stack.replicas[alive.at(-1)!]!.origin, SERVER_SUB, { id: ids['db-01'] }, { 'X-Auth-Token': token, 'X-Tenant-Id': sim.tenantId });
      subs.push(own);
      await own.next((r) => r.data?.server.status === 'ACTIVE');
      const stopped = own.next((r) => r.data?.server.status === 'SHUTOFF');
      sim.controls.changeServer(ids['db-01']!, { action: 'stop' });
      await stopped;

      const stored = await redis.dump();
      const text = [...stored].map(([key, value]) => `${key}\n${value}`).join('\n');
      expect(text).toContain(ids['db-01']!); // the scan sees the live snapshot, not an empty store
      expect([token, sim.apiPassword].filter((secret) => text.includes(secret))).toEqual([]);
    }, 60_000);
  });
}
