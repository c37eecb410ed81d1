// Pass-through callers: their own token on every call, endpoints from the service account's catalog
// (or the overrides), no re-issue on 401, and caches that are never shared between two tokens.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Caller, UpstreamClient } from '../../src/upstream/types.js';
import { count, FAST, serviceSession, TOKEN_ROUTE, upstreamError, useSimulator } from './support.js';

const FLAVORS = 'GET compute /flavors/detail';
const KEYPAIRS = 'GET compute /os-keypairs';

const fx = useSimulator();

async function callerToken(client: UpstreamClient, account = { tenantId: fx.sim.tenantId, username: fx.sim.username, password: fx.sim.apiPassword }) {
  return (await client.issueToken(account)).token.id;
}

function passthrough(token: string, tenantId = fx.sim.tenantId): Caller {
  return { kind: 'passthrough', token, tenantId };
}

describe('pass-through callers', () => {
  it("send their own token and never trigger the service account's", async () => {
    const client = fx.client();
    const token = await callerToken(client);
    await client.ready();
    fx.sim.controls.resetLog();
    const page = await client.session(passthrough(token)).compute.listServers({});
    expect(page.servers.length).toBeGreaterThan(0);
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(0);
  });

  it('get a 401 without any re-issue when their token is refused', async () => {
    const client = fx.client();
    const token = await callerToken(client);
    await client.ready();
    fx.sim.controls.revokeTokens();
    fx.sim.controls.resetLog();
    const error = await upstreamError(client.session(passthrough(token)).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'http', status: 401 });
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(0);
    expect(count(fx.sim, 'GET compute /servers/detail')).toBe(1);
  });

  it('never share a cache entry between two tokens, even of the same tenant', async () => {
    const client = fx.client();
    const [first, second] = [await callerToken(client), await callerToken(client)];
    await client.session(passthrough(first)).compute.listFlavors();
    await client.session(passthrough(first)).compute.listFlavors();
    await client.session(passthrough(second)).compute.listFlavors();
    await serviceSession(client).compute.listFlavors();
    expect(count(fx.sim, FLAVORS)).toBe(3);

    await client.session(passthrough(first)).compute.listKeypairs();
    await client.session(passthrough(second)).compute.listKeypairs();
    await serviceSession(client).compute.listKeypairs();
    expect(count(fx.sim, KEYPAIRS)).toBe(3);
  });

  it('with a wrong token get a 401 even when another caller cached the tenant\'s flavors', async () => {
    const client = fx.client();
    await client.session(passthrough(await callerToken(client))).compute.listFlavors();
    await serviceSession(client).compute.listFlavors();
    fx.sim.controls.resetLog();
    const error = await upstreamError(client.session(passthrough('forged-token-value')).compute.listFlavors());
    expect(error).toMatchObject({ status: 401 });
    const single = await upstreamError(client.session(passthrough('forged-token-value')).compute.getFlavor('any'));
    expect(single).toMatchObject({ status: 401 });
    expect(count(fx.sim, FLAVORS)).toBe(1);
  });

  it('act in their own tenant, not in the service account\'s', async () => {
    const other = { tenantId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', username: 'other@example.com', apiPassword: 'other-password' };
    fx.sim.controls.addAccount(other);
    const client = fx.client();
    const token = await callerToken(client, { tenantId: other.tenantId, username: other.username, password: other.apiPassword });
    const theirs = await client.session(passthrough(token, other.tenantId)).compute.listServers({});
    const ours = await serviceSession(client).compute.listServers({});
    const overlap = theirs.servers.filter((s) => ours.servers.some((o) => o.id === s.id));
    expect(overlap).toEqual([]);
    expect(theirs.servers.every((s) => s.tenant_id === undefined || s.tenant_id === other.tenantId)).toBe(true);
  });

  it('refuse a malformed tenant or token before any call', async () => {
    const client = fx.client();
    await client.ready();
    fx.sim.controls.resetLog();
    for (const caller of [passthrough('token', '../other'), passthrough('bad\r\ntoken'), passthrough('token', '..')]) {
      expect(await upstreamError(client.session(caller).compute.listServers({}))).toMatchObject({ status: 401 });
    }
    expect(fx.sim.controls.requestLog()).toEqual([]);
  });

  it('work without a service account when every endpoint is configured', async () => {
    const config = loadConfig({
      NHN_COMPUTE_URL: `${fx.sim.url}/compute`,
      NHN_IMAGE_URL: `${fx.sim.url}/image`,
      NHN_VOLUME_URL: `${fx.sim.url}/volume`,
      NHN_NETWORK_URL: `${fx.sim.url}/network`,
      ...FAST,
    });
    const token = await callerToken(fx.client());
    const client = fx.clients.create(config);
    await client.ready();
    fx.sim.controls.resetLog();
    const page = await client.session(passthrough(token)).compute.listServers({});
    expect(page.servers.length).toBeGreaterThan(0);
    expect(count(fx.sim, TOKEN_ROUTE)).toBe(0);
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ status: 401 });
  });
});
