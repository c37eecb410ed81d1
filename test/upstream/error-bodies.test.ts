// Each upstream error format, as the simulator writes it, becomes the right UpstreamError: service,
// kind, status, fault, the upstream's message, a request id, and nothing that locates or authenticates.

import { beforeEach, describe, expect, it } from 'vitest';
import type { UpstreamClient } from '../../src/upstream/types.js';
import { leaks, serviceConfig, serviceSession, upstreamError, useSimulator } from './support.js';

const fx = useSimulator();
let client: UpstreamClient;

beforeEach(async () => {
  client = await fx.readyClient({ UPSTREAM_MAX_RETRIES: '0' });
});

async function anyServerId(): Promise<string> {
  const { servers } = await serviceSession(client).compute.listServers({ limit: 1 });
  return servers[0]!.id;
}

describe('error bodies', () => {
  it("Nova's fault envelope: a start of a running server is a 409 conflictingRequest", async () => {
    const id = await anyServerId();
    const error = await upstreamError(serviceSession(client).compute.serverAction(id, { 'os-start': null }));
    expect(error).toMatchObject({ service: 'compute', kind: 'http', status: 409, fault: 'conflictingRequest' });
    expect(error.message).toMatch(/^Cannot 'start' instance/);
    expect(error.requestId).toBeTruthy();
  });

  it("Nova's 500 computeFault loses its URL", async () => {
    fx.sim.controls.failNext('GET compute /servers/detail', 1, { status: 500 });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ status: 500, fault: 'computeFault' });
    expect(leaks(error, fx.sim, ['launchpad'])).toEqual([]);
  });

  it("Cinder's envelope: an injected 503 of the volume service", async () => {
    fx.sim.controls.failNext('GET volume /volumes/{id}', 1, { status: 503 });
    const error = await upstreamError(serviceSession(client).volume.getVolume('11111111-1111-1111-1111-111111111111'));
    expect(error).toMatchObject({ service: 'volume', kind: 'http', status: 503, fault: 'serviceUnavailable' });
    expect(error.requestId).toBeTruthy();
  });

  it("Keystone's body, for a pass-through token the service does not know", async () => {
    const session = client.session({ kind: 'passthrough', token: 'not-a-token-0000', tenantId: fx.sim.tenantId });
    const error = await upstreamError(session.compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'http', status: 401, fault: 'Unauthorized' });
    expect(error.message).toBe('The request you have made requires authentication.');
    expect(leaks(error, fx.sim, ['not-a-token-0000'])).toEqual([]);
  });

  it("Glance's text body, without its status line", async () => {
    fx.sim.controls.failNext('GET image /v2/images/{id}', 1, { status: 400 });
    const error = await upstreamError(serviceSession(client).image.getImage('11111111-1111-1111-1111-111111111111'));
    expect(error).toMatchObject({ service: 'image', kind: 'http', status: 400, fault: undefined });
    expect(error.message).not.toMatch(/^400 Bad Request/);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.requestId).toBeTruthy();
  });

  it('an HTML error page, stripped of its markup', async () => {
    fx.sim.controls.failNext('GET compute /servers/detail', 1, { mode: 'html', status: 502 });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'http', status: 502 });
    expect(error.message).not.toMatch(/[<>]/);
    expect(leaks(error, fx.sim)).toEqual([]);
  });

  it('invalid JSON in a 2xx answer is kind invalid-response', async () => {
    fx.sim.controls.failNext('GET compute /servers/detail', 1, { mode: 'invalid-json' });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'invalid-response' });
    expect(error.requestId).toBeTruthy();
  });

  it('a body larger than maxResponseBytes is kind invalid-response', async () => {
    const config = serviceConfig(fx.sim, { UPSTREAM_MAX_RESPONSE_BYTES: '1024' });
    // The token answer (with its catalog) alone is over 1 KiB.
    const identityError = await upstreamError(fx.clients.create(config).ready());
    expect(identityError).toMatchObject({ service: 'identity', kind: 'invalid-response' });

    const token = (await client.issueToken({ tenantId: fx.sim.tenantId, username: fx.sim.username, password: fx.sim.apiPassword })).token.id;
    const small = fx.clients.create({ ...config, endpoints: { ...config.endpoints, computeUrl: `${fx.sim.url}/compute` } });
    const session = small.session({ kind: 'passthrough', token, tenantId: fx.sim.tenantId });
    const error = await upstreamError(session.compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'invalid-response' });
    expect(error.requestId).toBeTruthy();
    // The pool is still usable after the oversized body was dropped.
    expect(await session.compute.listAvailabilityZones()).toBeInstanceOf(Array);
  });
});
