// The service account's token: issued once for concurrent requests, refreshed inside the margin,
// re-issued once on a 401 (then the call is retried once, POST included), never leaked.

import { describe, expect, it } from 'vitest';
import { count, delay, leaks, serviceSession, TOKEN_ROUTE, upstreamError, useSimulator } from './support.js';

const SERVERS = 'GET compute /servers/detail';

const fx = useSimulator();

describe('service account token', () => {
  it('is issued once for many concurrent requests and reused by later sessions', async () => {
    const client = fx.client();
    await Promise.all(Array.from({ length: 12 }, () => serviceSession(client).compute.listServers({ limit: 1 })));
    await serviceSession(client).compute.listAvailabilityZones();
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
    expect(count(fx.sim, SERVERS)).toBe(12);
  });

  it('ready() issues the token (once) and the first request reuses it', async () => {
    const client = fx.client();
    await Promise.all([client.ready(), client.ready()]);
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
    await serviceSession(client).compute.listServers({});
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
  });

  it('is used for half its life when it lives shorter than the margin (no token per request)', async () => {
    // A one-minute token under the default five-minute margin.
    fx.sim.controls.setTokenLifetime(60);
    const client = fx.client();
    await serviceSession(client).compute.listServers({});
    await serviceSession(client).compute.listServers({});
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
  });

  it('is kept while it is outside the margin, then renewed before it expires', async () => {
    fx.sim.controls.setTokenLifetime(3);
    const client = fx.client({ TOKEN_REFRESH_MARGIN_SECONDS: '1' });
    await serviceSession(client).compute.listServers({});
    await delay(2_100);
    // Still valid for about a second, but inside the margin: renewed.
    await serviceSession(client).compute.listServers({});
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(2);
  });

  it('is re-issued once after a 401 and the call retried once', async () => {
    const client = fx.client();
    await serviceSession(client).compute.listServers({});
    fx.sim.controls.revokeTokens();
    fx.sim.controls.resetLog();
    const page = await serviceSession(client).compute.listServers({});
    expect(page.servers.length).toBeGreaterThan(0);
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
    expect(count(fx.sim, SERVERS)).toBe(2);
  });

  it('is re-issued only once for a wave of concurrent 401s', async () => {
    const client = fx.client();
    await client.ready();
    fx.sim.controls.revokeTokens();
    fx.sim.controls.resetLog();
    await Promise.all(Array.from({ length: 8 }, () => serviceSession(client).compute.listServers({})));
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
    expect(count(fx.sim, SERVERS)).toBe(16);
  });

  it('retries even a POST once after a 401: the refused call was not executed', async () => {
    const client = fx.client();
    await client.ready();
    fx.sim.controls.revokeTokens();
    fx.sim.controls.resetLog();
    const keypair = await serviceSession(client).compute.createKeypair({ name: 'after-revoke' });
    expect(keypair.name).toBe('after-revoke');
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
    expect(count(fx.sim, 'POST compute /os-keypairs')).toBe(2);
  });

  it('fails with the identity 401 for a wrong password, without the password', async () => {
    const client = fx.client({ NHN_API_PASSWORD: 'wrong-password-123' });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'identity', kind: 'http', status: 401 });
    expect(leaks(error, fx.sim, ['wrong-password-123'])).toEqual([]);
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(1);
    expect(count(fx.sim, SERVERS)).toBe(0);
    await expect(client.ready()).rejects.toMatchObject({ status: 401 });
  });
});

describe('issueToken (the mutation)', () => {
  it('answers the access body and caches nothing', async () => {
    const client = fx.client();
    const input = { tenantId: fx.sim.tenantId, username: fx.sim.username, password: fx.sim.apiPassword };
    const [first, second] = [await client.issueToken(input), await client.issueToken(input)];
    expect(first.token.id).not.toBe(second.token.id);
    expect(first.serviceCatalog?.some((entry) => entry.type === 'compute')).toBe(true);
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(2);
  });

  it('keeps the password out of the error', async () => {
    const client = fx.client();
    const error = await upstreamError(client.issueToken({ tenantId: fx.sim.tenantId, username: fx.sim.username, password: 'nope-nope-nope' }));
    expect(error).toMatchObject({ service: 'identity', status: 401, fault: 'Unauthorized' });
    expect(leaks(error, fx.sim, ['nope-nope-nope'])).toEqual([]);
  });
});
