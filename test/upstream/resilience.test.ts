// Retries (GET only, on connection errors and 502/503/504, Retry-After honoured), the circuit
// breaker, timeouts and the request deadline, counted on the simulator.

import { describe, expect, it } from 'vitest';
import { count, delay, serviceSession, upstreamError, useSimulator } from './support.js';

const SERVERS = 'GET compute /servers/detail';
const CREATE_KEYPAIR = 'POST compute /os-keypairs';

const fx = useSimulator();

describe('retries', () => {
  it('retries a GET on 503 and answers once the service recovers', async () => {
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '2' });
    fx.sim.controls.failNext(SERVERS, 2, { status: 503 });
    const page = await serviceSession(client).compute.listServers({});
    expect(page.servers.length).toBeGreaterThan(0);
    expect(count(fx.sim, SERVERS)).toBe(3);
  });

  it('gives up after maxRetries retries with the last error', async () => {
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '2' });
    fx.sim.controls.failNext(SERVERS, 10, { status: 503 });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'http', status: 503, fault: 'serviceUnavailable' });
    expect(error.requestId).toBeTruthy();
    expect(count(fx.sim, SERVERS)).toBe(3);
  });

  it('retries 502 and 504 and connection resets, but not 500', async () => {
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '3' });
    for (const fault of [{ status: 502 }, { status: 504 }, { mode: 'reset' as const }]) {
      fx.sim.controls.failNext(SERVERS, 1, fault);
      await serviceSession(client).compute.listServers({});
    }
    expect(count(fx.sim, SERVERS)).toBe(6);

    fx.sim.controls.resetLog();
    fx.sim.controls.failNext(SERVERS, 1, { status: 500 });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ kind: 'http', status: 500 });
    expect(count(fx.sim, SERVERS)).toBe(1);
  });

  it('maps a reset that outlasts the retries to kind unavailable', async () => {
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '1' });
    fx.sim.controls.failNext(SERVERS, 5, { mode: 'reset' });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'unavailable' });
    expect(count(fx.sim, SERVERS)).toBe(2);
  });

  it('never retries a POST, neither on 503 nor on a reset', async () => {
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '3' });
    fx.sim.controls.failNext(CREATE_KEYPAIR, 1, { status: 503 });
    expect(await upstreamError(serviceSession(client).compute.createKeypair({ name: 'k1' }))).toMatchObject({ status: 503 });
    fx.sim.controls.failNext(CREATE_KEYPAIR, 1, { mode: 'reset' });
    expect(await upstreamError(serviceSession(client).compute.createKeypair({ name: 'k2' }))).toMatchObject({ kind: 'unavailable' });
    expect(count(fx.sim, CREATE_KEYPAIR)).toBe(2);
  });

  it("waits the upstream's Retry-After instead of the backoff", async () => {
    // With a one-minute backoff base, only the one-second Retry-After fits the 30 s deadline.
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '1', UPSTREAM_RETRY_BASE_DELAY_MS: '60000' });
    fx.sim.controls.failNext(SERVERS, 1, { status: 503, retryAfterSeconds: 1 });
    await serviceSession(client).compute.listServers({});
    expect(count(fx.sim, SERVERS)).toBe(2);
  });

  it('does not retry when Retry-After reaches past the deadline, and reports it', async () => {
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '2' });
    fx.sim.controls.failNext(SERVERS, 1, { status: 503, retryAfterSeconds: 120 });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 120 });
    expect(count(fx.sim, SERVERS)).toBe(1);
  });
});

describe('circuit breaker', () => {
  const env = { UPSTREAM_MAX_RETRIES: '0', UPSTREAM_BREAKER_FAILURES: '3', UPSTREAM_BREAKER_RESET_MS: '500' };

  it('opens after the threshold, fails fast without a call, and a successful probe closes it', async () => {
    const client = await fx.readyClient(env);
    fx.sim.controls.failNext(SERVERS, 3, { status: 503 });
    for (let i = 0; i < 3; i++) await upstreamError(serviceSession(client).compute.listServers({}));
    expect(count(fx.sim, SERVERS)).toBe(3);

    const fast = await upstreamError(serviceSession(client).compute.getServer('any'));
    expect(fast).toMatchObject({ service: 'compute', kind: 'unavailable' });
    expect(fast.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(count(fx.sim, 'GET compute /servers/{id}')).toBe(0);
    // Other services have their own breaker.
    await serviceSession(client).image.getImage('00000000-0000-0000-0000-000000000000');

    await delay(550);
    await serviceSession(client).compute.listServers({});
    await serviceSession(client).compute.listServers({});
    expect(count(fx.sim, SERVERS)).toBe(5);
  });

  it('reopens when the half-open probe fails', async () => {
    const client = await fx.readyClient(env);
    fx.sim.controls.failNext(SERVERS, 4, { status: 503 });
    for (let i = 0; i < 3; i++) await upstreamError(serviceSession(client).compute.listServers({}));
    await delay(550);
    expect(await upstreamError(serviceSession(client).compute.listServers({}))).toMatchObject({ status: 503 });
    expect(await upstreamError(serviceSession(client).compute.listServers({}))).toMatchObject({ kind: 'unavailable' });
    expect(count(fx.sim, SERVERS)).toBe(4);
  });

  it('is not opened by 4xx answers', async () => {
    const client = await fx.readyClient(env);
    for (let i = 0; i < 5; i++) {
      expect(await serviceSession(client).compute.getServer('11111111-1111-1111-1111-111111111111')).toBeNull();
    }
    await serviceSession(client).compute.listServers({});
    expect(count(fx.sim, SERVERS)).toBe(1);
  });
});

describe('timeouts and the deadline', () => {
  it('maps a hanging upstream to kind timeout, without retrying it', async () => {
    const client = await fx.readyClient({ UPSTREAM_HEADERS_TIMEOUT_MS: '200', UPSTREAM_MAX_RETRIES: '2' });
    fx.sim.controls.failNext(SERVERS, 1, { mode: 'hang' });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'timeout' });
    expect(count(fx.sim, SERVERS)).toBe(1);
  });

  it("aborts calls still running when the session's signal fires", async () => {
    const client = await fx.readyClient();
    fx.sim.controls.failNext(SERVERS, 1, { mode: 'hang' });
    const controller = new AbortController();
    const pending = upstreamError(serviceSession(client, { signal: controller.signal }).compute.listServers({}));
    await delay(50);
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ service: 'compute', kind: 'timeout' });
    expect(error.message).toMatch(/deadline/);
  });

  it('stops waiting for a retry when the deadline fires', async () => {
    const client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '1' });
    fx.sim.controls.failNext(SERVERS, 1, { status: 503, retryAfterSeconds: 10 });
    const controller = new AbortController();
    const session = client.session({ kind: 'service' }, { signal: controller.signal, deadline: Date.now() + 60_000 });
    const pending = upstreamError(session.compute.listServers({}));
    await delay(100);
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'timeout' });
    expect(count(fx.sim, SERVERS)).toBe(1);
  });

  it('fails at once with an already aborted signal, without a call', async () => {
    const client = await fx.readyClient();
    const session = serviceSession(client, { signal: AbortSignal.abort() });
    expect(await upstreamError(session.compute.listServers({}))).toMatchObject({ kind: 'timeout' });
    expect(count(fx.sim, SERVERS)).toBe(0);
  });
});
