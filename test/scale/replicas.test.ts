// Three gateway processes on one simulator, sharing a real Redis: what one replica fetched serves the
// others (exact upstream calls), a mutation through one replica is seen through another, two
// projects stay apart however the requests are spread, nothing secret ever reaches Redis, and a Redis
// that dies mid-run costs no request (each replica serves from its own memory, says so once, and
// shares again once Redis is back).

import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { eventually } from '../helpers/gateway.js';
import { haveTools, type RedisServer, type Replicas, startHaproxy, startRedis, startReplicas } from '../helpers/replicas.js';

const TENANT_B = { tenantId: 'b7e4c1d09a2f4e6b8c3d5a7f9e1b2c4d', username: 'tenant-b@example.com', apiPassword: 'tenant-b-api-password' };
const PAGE = '{ servers(first: 100) { edges { node { id tenantId flavor { name } image { name } keypair { name publicKey } } } } }';
const FLAVORS = '{ flavors { id name } }';
const KEYPAIRS = '{ keypairs { name publicKey } }';
const ISSUE = 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { id } }';

/**
 * The identity endpoint, through a recorder of every token it hands out (the replicas' service
 * account tokens included): what the Redis scan must not find.
 */
async function recordTokens(sim: Simulator): Promise<{ url: string; tokens: string[]; server: Server }> {
  const tokens: string[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const upstream = await fetch(sim.identityUrl + request.url, {
      method: request.method,
      headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const text = await upstream.text();
    const id = (JSON.parse(text) as { access?: { token?: { id?: string } } }).access?.token?.id;
    if (typeof id === 'string') tokens.push(id);
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, tokens, server };
}

if (haveTools('redis-server', 'haproxy')) {
  describe('replicas sharing Redis', () => {
    let redis: RedisServer;
    let stack: Replicas;
    let identity: Awaited<ReturnType<typeof recordTokens>>;

    beforeAll(async () => {
      redis = await startRedis({ password: 'redis-test-password' });
      const sim = await startSimulator({ port: 0, buildDelayMs: 30 });
      sim.controls.addAccount(TENANT_B);
      sim.controls.addServers(4, { tenantId: TENANT_B.tenantId });
      identity = await recordTokens(sim);
      // A generous command timeout: on a loaded machine a slow answer would (rightly) be served from
      // memory, and the exact call counts below are about sharing, not about timeouts.
      stack = await startReplicas(3, {
        sim,
        redisUrl: redis.url,
        env: { NHN_IDENTITY_URL: identity.url, REDIS_KEY_PREFIX: 'gw-test:', REDIS_COMMAND_TIMEOUT_MS: '5000' },
      });
      // Ready does not wait for Redis (a replica serves from memory until it answers): the tests do.
      expect(await eventually(() => stack.replicas.every((r) => /Redis connected/.test(r.output())))).toBe(true);
    }, 60_000);
    afterAll(async () => {
      await stack?.close();
      await stack?.sim.close();
      identity?.server.close();
      await redis?.close();
    });
    beforeEach(() => stack.sim.controls.resetLog());

    test('a page of servers fetched through one replica fills the caches the other two answer from', async () => {
      const first = await stack.gql(0, PAGE);
      expect(first.errors).toBeUndefined();
      expect(stack.calls()).toEqual({
        'GET compute /servers/detail': 1,
        'GET compute /flavors/detail': 1,
        'GET image /v2/images': 1,
        'GET compute /os-keypairs': 1,
      });
      stack.sim.controls.resetLog();
      const second = await stack.gql(1, PAGE);
      const third = await stack.gql(2, PAGE);
      expect(second).toEqual(first);
      expect(third).toEqual(first);
      // Only the list itself, once per request: flavors, images and keypairs came from Redis.
      expect(stack.calls()).toEqual({ 'GET compute /servers/detail': 2 });
      // A flavor by id comes out of the shared catalogue too.
      const id = (await stack.gql(2, FLAVORS)).data.flavors[0].id;
      const one = await stack.gql(1, 'query($id: ID!) { flavor(id: $id) { name } }', { id });
      expect(one.data.flavor.name).toBeTruthy();
      expect(stack.calls()).toEqual({ 'GET compute /servers/detail': 2 });
    });

    test('a keypair created through one replica is listed by another at once (the shared entry was dropped)', async () => {
      await stack.gql(2, KEYPAIRS); // warm
      stack.sim.controls.resetLog();
      const created = await stack.gql(0, 'mutation { createKeypair(input: { name: "shared-cache-pair" }) { keypair { name } privateKey } }');
      expect(created.data.createKeypair.privateKey).toMatch(/PRIVATE KEY/);
      const listed = await stack.gql(2, KEYPAIRS);
      expect(listed.data.keypairs.map((k: { name: string }) => k.name)).toContain('shared-cache-pair');
      await stack.gql(1, KEYPAIRS);
      // One list after the drop, shared by replicas 2 and 1.
      expect(stack.calls()).toEqual({ 'POST compute /os-keypairs': 1, 'GET compute /os-keypairs': 1 });
      await stack.gql(0, 'mutation { deleteKeypair(name: "shared-cache-pair") }');
    });

    test('two projects stay apart across replicas: each sees its own, a forged token nothing, however warm the other replica is', async () => {
      const tokenB = (await stack.gql(1, ISSUE, { i: { tenantId: TENANT_B.tenantId, username: TENANT_B.username, password: TENANT_B.apiPassword } })).data.issueToken.id;
      const asB = { 'X-Auth-Token': tokenB, 'X-Tenant-Id': TENANT_B.tenantId };
      const pageB = await stack.gql(1, PAGE, undefined, asB);
      const pageA = await stack.gql(0, PAGE);
      const idsB = pageB.data.servers.edges.map((e: any) => e.node.id);
      const idsA = pageA.data.servers.edges.map((e: any) => e.node.id);
      expect(idsB.length).toBeGreaterThanOrEqual(4);
      expect(idsA.filter((id: string) => idsB.includes(id))).toEqual([]);
      const keysA = pageA.data.servers.edges.map((e: any) => e.node.keypair?.publicKey).filter(Boolean);
      stack.sim.controls.resetLog();
      // Each caller's warm data, read through the other replicas, is its own.
      for (const replica of [0, 2]) {
        const again = await stack.gql(replica, PAGE, undefined, asB);
        expect(again).toEqual(pageB);
        const text = JSON.stringify(again);
        expect(idsA.some((id: string) => text.includes(id)) || keysA.some((key: string) => text.includes(key))).toBe(false);
      }
      for (const replica of [1, 2]) expect(await stack.gql(replica, PAGE)).toEqual(pageA);
      expect(stack.calls()).toEqual({ 'GET compute /servers/detail': 4 });
      // A forged token for B, on a replica whose Redis holds B's warm entries: refused, nothing served.
      const forged = await stack.gql(2, KEYPAIRS, undefined, { 'X-Auth-Token': 'f'.repeat(32), 'X-Tenant-Id': TENANT_B.tenantId });
      expect(forged.data ?? null).toBeNull();
      expect(forged.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    test('Redis holds no token, password or private key; every key carries the prefix', async () => {
      const tokenA = (await stack.gql(0, ISSUE, { i: { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword } })).data.issueToken.id;
      const asA = { 'X-Auth-Token': tokenA, 'X-Tenant-Id': stack.sim.tenantId };
      await stack.gql(2, PAGE, undefined, asA);
      await stack.gql(1, KEYPAIRS, undefined, asA);
      const created = await stack.gql(1, 'mutation { createKeypair(input: { name: "scan-pair" }) { privateKey } }', undefined, asA);
      const privateKey: string = created.data.createKeypair.privateKey;
      await stack.gql(0, KEYPAIRS, undefined, asA);
      await stack.gql(2, KEYPAIRS);

      const stored = await redis.dump();
      expect(stored.size).toBeGreaterThan(5);
      const text = [...stored].map(([key, value]) => `${key}\n${value}`).join('\n');
      expect(text).toContain('scan-pair'); // the list after the creation was cached: the scan sees real entries
      // Every token the identity service handed out, the replicas' own service account tokens included.
      expect(identity.tokens.length).toBeGreaterThanOrEqual(4);
      const secrets = [...identity.tokens, stack.sim.apiPassword, TENANT_B.apiPassword, 'redis-test-password', privateKey, 'PRIVATE KEY'];
      expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
      expect([...stored.keys()].filter((key) => !key.startsWith('gw-test:'))).toEqual([]);
      await stack.gql(1, 'mutation { deleteKeypair(name: "scan-pair") }', undefined, asA);
    });

    test('Redis killed mid-run: no request fails, each replica says so once, and shares again once Redis is back', async () => {
      const balancer = await startHaproxy(stack.replicas.map((r) => r.origin));
      try {
        const before = stack.replicas.map((r) => r.output().length);
        const queries = [PAGE, FLAVORS, KEYPAIRS];
        let sent = 0;
        const failures: unknown[] = [];
        const runFor = async (until: () => boolean) => {
          const worker = async () => {
            while (!until()) {
              const body = await stack.gql(balancer.origin, queries[sent++ % queries.length]!).catch((error: unknown) => ({ errors: [String(error)] }));
              if (body.errors !== undefined) failures.push(body.errors);
            }
          };
          await Promise.all(Array.from({ length: 8 }, worker));
        };
        await runFor(() => sent >= 60);
        await redis.kill();
        const killedAt = sent;
        await runFor(() => sent >= killedAt + 150);
        const logs = () => stack.replicas.map((r, i) => r.output().slice(before[i]));
        // Every replica noticed (requests reached each through the balancer), once.
        for (const log of logs()) expect(log.match(/Redis unreachable/g)).toHaveLength(1);
        await redis.start();
        // Reconnection backs off to at most 2 s.
        expect(await eventually(async () => logs().every((log) => /Redis is reachable again/.test(log)))).toBe(true);
        const restartedAt = sent;
        await runFor(() => sent >= restartedAt + 60);
        expect(failures).toEqual([]);
        // Said in the metrics too: one outage each, Redis in use again, operations served from memory meanwhile.
        for (const replica of stack.replicas) {
          const text = await (await fetch(replica.metricsUrl!)).text();
          expect(text).toMatch(/^nhn_gateway_redis_up 1$/m);
          expect(text).toMatch(/^nhn_gateway_redis_outages_total 1$/m);
          expect(Number(/^nhn_gateway_redis_fallbacks_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
        }

        // Shared again: a catalogue one replica fetches into the new (empty) Redis serves the others.
        stack.sim.controls.resetLog();
        await stack.gql(0, '{ flavors(minRam: 1) { id } }', undefined, {});
        const afterFirst = stack.calls()['GET compute /flavors/detail'] ?? 0;
        expect(afterFirst).toBeLessThanOrEqual(1);
        await stack.gql(1, FLAVORS);
        await stack.gql(2, FLAVORS);
        expect(stack.calls()['GET compute /flavors/detail'] ?? 0).toBe(afterFirst);
        expect(await redis.dump().then((all) => [...all.keys()].some((key) => key.startsWith('gw-test:cache:flavors:')))).toBe(true);
      } finally {
        await balancer.close();
      }
    }, 60_000);
  });
}

if (haveTools('redis-server')) {
  test('a replica whose Redis never answers serves from memory, and ready stays 200', async () => {
    const sim = await startSimulator({ port: 0, buildDelayMs: 30 });
    // A port nothing listens on.
    const stack = await startReplicas(1, { sim, redisUrl: 'redis://127.0.0.1:1' });
    try {
      const [replica] = stack.replicas;
      expect((await fetch(`${replica!.origin}/ready`)).status).toBe(200);
      expect((await stack.gql(0, FLAVORS)).errors).toBeUndefined();
      expect((await stack.gql(0, FLAVORS)).errors).toBeUndefined();
      // Its own memory still caches: one catalogue call for two requests.
      expect(stack.calls()['GET compute /flavors/detail']).toBe(1);
      expect(replica!.output().match(/Redis unreachable/g)).toHaveLength(1);
    } finally {
      await stack.close();
      await sim.close();
    }
  });
}

if (haveTools('redis-server', 'openssl')) {
  test('rediss:// (TLS) with the password apart in REDIS_PASSWORD: two replicas share through it', async () => {
    const redis = await startRedis({ tls: true, password: 'tls-redis-password' });
    const sim = await startSimulator({ port: 0, buildDelayMs: 30 });
    const stack = await startReplicas(2, {
      sim,
      redisUrl: `rediss://127.0.0.1:${redis.port}`,
      env: { REDIS_PASSWORD: 'tls-redis-password', NODE_EXTRA_CA_CERTS: redis.caFile! },
    });
    try {
      expect(await eventually(() => stack.replicas.every((r) => /Redis connected/.test(r.output())))).toBe(true);
      stack.sim.controls.resetLog();
      expect((await stack.gql(0, FLAVORS)).errors).toBeUndefined();
      expect((await stack.gql(1, FLAVORS)).errors).toBeUndefined();
      expect(stack.calls()).toEqual({ 'GET compute /flavors/detail': 1 });
      expect([...(await redis.dump()).keys()].some((key) => key.startsWith('nhn-gateway:cache:flavors:'))).toBe(true);
      for (const replica of stack.replicas) expect(replica.output()).not.toContain('tls-redis-password');
    } finally {
      await stack.close();
      await sim.close();
      await redis.close();
    }
  });
}
