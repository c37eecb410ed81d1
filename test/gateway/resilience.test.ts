// Upstream faults as a GraphQL client sees them, each injected with the simulator's controls: retries
// of queries (never of mutations), Retry-After, the per-call timeout, the request deadline aborting
// the calls still running, the circuit breaker failing fast and probing back, partial data when one
// service fails, tokens revoked mid-request, and a refused service account. Each test gets a stack of
// its own: retries, the breaker and the caches remember faults. (The transport's own view of the same
// policies is test/upstream/resilience.test.ts.)

import { describe, expect, test } from 'vitest';
import { eventually, type GraphQLBody, leaksIn, type Stack, TOKEN_ROUTE, withStack } from '../helpers/gateway.js';

const ZONES = 'GET compute /os-availability-zone';
const ZONES_QUERY = '{ availabilityZones { name } }';
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stack with its service account's token held, and the log cleared: calls() is the query's own. */
async function warm(stack: Stack): Promise<Stack> {
  await stack.gql('{ flavors { id } }');
  stack.sim.controls.resetLog();
  return stack;
}

function expectClean(body: GraphQLBody, stack: Stack): void {
  expect(leaksIn(body.errors, stack)).toEqual([]);
}

describe('retries', () => {
  test('a query is retried through 503s and resets and answers its data; a mutation is sent once', () =>
    withStack({ env: { UPSTREAM_MAX_RETRIES: '2' } }, async (stack) => {
      await warm(stack);
      stack.sim.controls.failNext(ZONES, 2, { status: 503 });
      expect((await stack.gql(ZONES_QUERY)).data.availabilityZones).toHaveLength(2);
      stack.sim.controls.failNext(ZONES, 2, { mode: 'reset' });
      expect((await stack.gql(ZONES_QUERY)).data.availabilityZones).toHaveLength(2);
      expect(stack.calls()).toEqual({ [ZONES]: 6 });

      stack.sim.controls.resetLog();
      const create = 'mutation($n: String!) { createKeypair(input: { name: $n }) { keypair { name } } }';
      for (const [name, fault] of [['k1', { status: 503 }], ['k2', { mode: 'reset' as const }]] as const) {
        stack.sim.controls.failNext('POST compute /os-keypairs', 1, fault);
        const body = await stack.gql(create, { n: name });
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'compute' } });
        expectClean(body, stack);
      }
      stack.sim.controls.failNext('POST compute /servers/{id}/action', 1, { mode: 'reset' });
      const stop = await stack.gql('mutation { stopServer(id: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11") { id } }');
      expect(stop.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(stack.calls()).toEqual({ 'POST compute /os-keypairs': 2, 'POST compute /servers/{id}/action': 1 });
    }));

  test("the upstream's Retry-After is waited for when it fits the deadline, else handed to the client", () =>
    withStack({ env: { UPSTREAM_MAX_RETRIES: '1', UPSTREAM_RETRY_BASE_DELAY_MS: '60000' } }, async (stack) => {
      await warm(stack);
      // With a one-minute backoff base, only the one-second Retry-After lets the retry fit the deadline.
      stack.sim.controls.failNext(ZONES, 1, { status: 503, retryAfterSeconds: 1 });
      expect((await stack.gql(ZONES_QUERY)).errors).toBeUndefined();
      expect(stack.calls()).toEqual({ [ZONES]: 2 });

      stack.sim.controls.resetLog();
      stack.sim.controls.failNext(ZONES, 2, { status: 503, retryAfterSeconds: 120 });
      const later = await stack.gql(ZONES_QUERY);
      expect(later.errors?.[0]).toMatchObject({ extensions: { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 120, upstream: { status: 503 } } });
      stack.sim.controls.failNext(ZONES, 1, { status: 429, retryAfterSeconds: 7 });
      const limited = await stack.gql(ZONES_QUERY);
      expect(limited.errors?.[0]).toMatchObject({ message: expect.stringMatching(/rate limiting/), extensions: { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 7 } });
      expect(stack.calls()).toEqual({ [ZONES]: 2 });
    }));
});

describe('timeouts and the request deadline', () => {
  test.each([
    ['never sends its headers: the headers timeout', { UPSTREAM_HEADERS_TIMEOUT_MS: '200' }, { mode: 'hang' as const }],
    [
      'stalls in the middle of its body: the body timeout',
      { UPSTREAM_BODY_TIMEOUT_MS: '200' },
      { mode: 'body' as const, body: '{"availabilityZoneInfo": [{"zoneName": "kr-pub-a"}]}', hangAfterBytes: 20 },
    ],
  ])('a service that %s answers UPSTREAM_TIMEOUT, without a retry', (_, env, fault) =>
    // A deadline beyond the test's own timeout: only the per-call timeout can answer in time.
    withStack({ env: { ...env, UPSTREAM_MAX_RETRIES: '2', REQUEST_DEADLINE_MS: '120000' } }, async (stack) => {
      await warm(stack);
      stack.sim.controls.failNext(ZONES, 3, fault);
      const body = await stack.gql(ZONES_QUERY);
      expect(body.errors?.[0]).toMatchObject({
        message: 'The compute service did not answer in time.',
        extensions: { code: 'UPSTREAM_TIMEOUT', upstream: { service: 'compute' } },
      });
      expect(stack.calls()).toEqual({ [ZONES]: 1 });
    }));

  test('the request deadline answers UPSTREAM_TIMEOUT and aborts the calls still running', () =>
    // Upstream timeouts far beyond the deadline: only the deadline can end the hanging call.
    withStack({ env: { REQUEST_DEADLINE_MS: '300', UPSTREAM_HEADERS_TIMEOUT_MS: '600000' } }, async (stack) => {
      await warm(stack);
      stack.sim.controls.failNext(ZONES, 1, { mode: 'hang' });
      const body = await stack.gql(ZONES_QUERY);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', upstream: { service: 'compute' } });
      expect(await eventually(() => stack.sim.controls.requestLog().some((entry) => entry.route === ZONES && entry.abandoned))).toBe(true);
    }));
});

describe('circuit breaker', () => {
  const env = { UPSTREAM_MAX_RETRIES: '0', UPSTREAM_BREAKER_FAILURES: '2', UPSTREAM_BREAKER_RESET_MS: '300' };

  test('a failing service fails fast with UPSTREAM_UNAVAILABLE and no call, other services still answer, a probe closes it', () =>
    withStack({ env }, async (stack) => {
      await warm(stack);
      stack.sim.controls.failNext(ZONES, 2, { status: 503 });
      for (let i = 0; i < 2; i++) expect((await stack.gql(ZONES_QUERY)).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      stack.sim.controls.resetLog();

      const fast = await stack.gql('{ keypairs { name } }');
      expect(fast.data ?? null).toBeNull();
      expect(fast.errors?.[0]).toMatchObject({
        message: 'The compute service is unavailable.',
        extensions: { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 1, upstream: { service: 'compute', status: null } },
      });
      expect(stack.calls()).toEqual({});
      expect((await stack.gql('{ networks { id } }')).errors).toBeUndefined();

      await delay(350);
      const back = await stack.gql('{ keypairs { name } }');
      expect(back.errors).toBeUndefined();
      expect((await stack.gql(ZONES_QUERY)).errors).toBeUndefined();
      expect(stack.calls()).toEqual({ 'GET network /v2.0/networks': 1, 'GET compute /os-keypairs': 1, [ZONES]: 1 });
    }));
});

describe('partial data: a failing service nulls only the fields it serves', () => {
  test('with the image service down, servers still come back, with an error at each image', () =>
    withStack({}, async (stack) => {
      stack.sim.controls.setErrorRate('image', 1);
      const body = await stack.gql('{ servers { edges { node { name flavor { name } image { name } } } } }');
      const nodes = body.data.servers.edges.map((e: any) => e.node);
      expect(nodes).toHaveLength(6);
      for (const node of nodes) {
        expect(node.flavor.name).toMatch(/\./);
        expect(node.image).toBeNull();
      }
      expect(body.errors).toHaveLength(6);
      for (const error of body.errors!) {
        expect(error.path).toEqual(['servers', 'edges', expect.any(Number), 'node', 'image']);
        expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'image' } });
      }
      expectClean(body, stack);
    }));

  test('with the block storage service down, attachments come back, with an error at each volume', () =>
    withStack({}, async (stack) => {
      const { data } = await stack.gql('{ servers { edges { node { id name } } } }');
      const db = data.servers.edges.find((e: any) => e.node.name === 'db-01').node.id;
      stack.sim.controls.setErrorRate('volume', 1);
      const body = await stack.gql('query($id: ID!) { server(id: $id) { name volumeAttachments { volumeId volume { size } } } }', { id: db });
      const attachments = body.data.server.volumeAttachments;
      expect(attachments.length).toBeGreaterThan(1);
      expect(attachments.every((a: any) => a.volumeId && a.volume === null)).toBe(true);
      expect(body.errors?.map((e) => [e.path?.at(-1), e.extensions?.code])).toEqual(attachments.map(() => ['volume', 'UPSTREAM_UNAVAILABLE']));
    }));

  test('an upstream answering HTML or broken JSON instead of its body is UPSTREAM_UNAVAILABLE', () =>
    withStack({}, async (stack) => {
      for (const fault of [{ status: 200, mode: 'html' as const }, { mode: 'invalid-json' as const }, { status: 503 }]) {
        stack.sim.controls.failNext(ZONES, 5, fault);
        const body = await stack.gql(ZONES_QUERY);
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'compute' } });
        expectClean(body, stack);
      }
    }));
});

describe('tokens', () => {
  /** Starts `query`, waits until its call is at the simulator (held there by latency), then revokes every token. */
  async function revokeDuringCall(stack: Stack, headers?: Record<string, string>): Promise<GraphQLBody> {
    stack.sim.controls.setLatency(200, 'compute');
    const pending = stack.gql(ZONES_QUERY, undefined, headers);
    expect(await eventually(() => stack.sim.controls.requestLog().some((entry) => entry.route === ZONES))).toBe(true);
    stack.sim.controls.revokeTokens();
    return pending;
  }

  test('revoked while a request is in flight: the service account re-issues once and the query succeeds', () =>
    withStack({}, async (stack) => {
      await warm(stack);
      const body = await revokeDuringCall(stack);
      expect(body.errors).toBeUndefined();
      expect(body.data.availabilityZones).toHaveLength(2);
      expect(stack.sim.controls.counters()).toEqual({ [ZONES]: 2, [TOKEN_ROUTE]: 1 });
    }));

  test("revoked while a pass-through caller's request is in flight: UNAUTHENTICATED, never re-issued", () =>
    withStack({}, async (stack) => {
      const { sim } = await warm(stack); // the service account's catalog, where the endpoints come from
      const issued = await stack.gql('mutation($i: IssueTokenInput!) { issueToken(input: $i) { id } }', {
        i: { tenantId: sim.tenantId, username: sim.username, password: sim.apiPassword },
      });
      const token: string = issued.data.issueToken.id;
      sim.controls.resetLog();
      const body = await revokeDuringCall(stack, { 'X-Auth-Token': token, 'X-Tenant-Id': sim.tenantId });
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: { status: 401 } });
      expect(sim.controls.counters()).toEqual({ [ZONES]: 1 });
      expect(leaksIn(body.errors, stack, [token])).toEqual([]);
    }));

  test("a refused service account is the gateway's problem: UPSTREAM_UNAVAILABLE, not UNAUTHENTICATED", () =>
    withStack({ env: { NHN_API_PASSWORD: 'changed-api-password' } }, async (stack) => {
      const body = await stack.gql(ZONES_QUERY);
      expect(body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/could not sign in .* service account .*operator/),
        extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'identity', status: 401 } },
      });
      expect(leaksIn(body.errors, stack, ['changed-api-password'])).toEqual([]);
      expect(stack.calls()).toEqual({});
      // A caller's own wrong password stays the caller's problem.
      const wrong = await stack.gql('mutation { issueToken(input: { tenantId: "t", username: "u", password: "nope" }) { id } }');
      expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }));
});
