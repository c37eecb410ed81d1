// SimulatorControls, in-process and over HTTP under /__simulator/: latency, error rates, failNext
// in each mode, the request log and counters, accounts, bulk servers, reset and determinism.

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

const SERVERS = 'GET compute /servers';
const control = (method: string, name: string, args?: unknown) => h.request(method, `${h.sim.url}/__simulator/${name}`, args, undefined);

/** Polls `done` (what the simulator notices happens on the event loop, a little after the client acts). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
}

describe('latency', () => {
  it('delays every answer, or one service only (lower bounds only: timings are not asserted)', async () => {
    h.sim.controls.setLatency(60, 'image');
    let started = Date.now();
    await h.image('/v2/images');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    h.sim.controls.setLatency(40);
    started = Date.now();
    await h.compute('GET', '/flavors');
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(() => h.sim.controls.setLatency(-1)).toThrow();
  });
});

describe('error rate', () => {
  it("answers 503 in each service's own format", async () => {
    for (const service of ['compute', 'image', 'volume', 'network', 'identity'] as const) h.sim.controls.setErrorRate(service, 1);
    const compute = await h.compute('GET', '/servers');
    expect(compute.status).toBe(503);
    expect(compute.body.serviceUnavailable.code).toBe(503);
    const image = await h.image('/v2/images');
    expect(image.status).toBe(503);
    expect(image.text).toMatch(/^503 Service Unavailable/);
    expect((await h.volume('/volumes')).body.serviceUnavailable.code).toBe(503);
    expect((await h.network('/v2.0/networks')).body.NeutronError.type).toBe('ServiceUnavailable');
    expect((await h.issueToken()).body.error.code).toBe(503);
  });

  it('is seeded: the same seed fails the same calls', async () => {
    const pattern = async (seed: number) => {
      const sim = await startSimulator({ seed, buildDelayMs: 10 });
      const other = new Harness(sim);
      await other.login();
      sim.controls.setErrorRate('compute', 0.5);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await other.compute('GET', '/flavors')).status);
      await sim.close();
      return statuses;
    };
    const first = await pattern(7);
    expect(first).toEqual(await pattern(7));
    expect(first.filter((s) => s === 503).length).toBeGreaterThan(5);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(5);
    expect(() => h.sim.controls.setErrorRate('compute', 2)).toThrow();
  });
});

describe('failNext', () => {
  it('fails exactly the next N calls of one route, with status and Retry-After', async () => {
    h.sim.controls.failNext(SERVERS, 2, { status: 500, retryAfterSeconds: 3 });
    const first = await h.compute('GET', '/servers');
    expect(first.status).toBe(500);
    expect(first.body.computeFault.code).toBe(500);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await h.compute('GET', '/servers/detail')).status).toBe(200);
    expect((await h.compute('GET', '/servers')).status).toBe(500);
    expect((await h.compute('GET', '/servers')).status).toBe(200);
  });

  it('matches routes with ids as {id}', async () => {
    const { id } = await h.serverNamed('web-01');
    h.sim.controls.failNext('GET compute /servers/{id}', 1);
    expect((await h.compute('GET', `/servers/${id}`)).status).toBe(503);
    expect((await h.compute('GET', `/servers/${id}`)).status).toBe(200);
  });

  it("mode 'html' answers an HTML error page", async () => {
    h.sim.controls.failNext(SERVERS, 1, { mode: 'html', status: 502 });
    const answer = await h.compute('GET', '/servers');
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toBe('text/html');
    expect(answer.text).toContain('<h1>502 Bad Gateway</h1>');
  });

  it("mode 'invalid-json' answers 200 with a body that does not parse", async () => {
    h.sim.controls.failNext(SERVERS, 1, { mode: 'invalid-json' });
    const answer = await h.compute('GET', '/servers');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(() => JSON.parse(answer.text)).toThrow();
  });

  it("mode 'reset' closes the connection without an answer", async () => {
    h.sim.controls.failNext(SERVERS, 1, { mode: 'reset' });
    await expect(h.compute('GET', '/servers')).rejects.toThrow();
    expect((await h.compute('GET', '/servers')).status).toBe(200);
  });

  it("mode 'hang' never answers (until the client gives up or the simulator closes)", async () => {
    h.sim.controls.failNext(SERVERS, 1, { mode: 'hang' });
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`${h.computeRoot}/servers`, { headers: { 'x-auth-token': h.token } }, () => resolve('answered'));
      req.setTimeout(150, () => {
        req.destroy();
        resolve('timed out');
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect(outcome).toBe('timed out');
    expect(h.sim.controls.requestLog().at(-1)).toMatchObject({ route: SERVERS, status: 0 });
    await until(() => h.sim.controls.requestLog().at(-1)?.abandoned === true);
  });

  it("mode 'body' answers exactly the given body, status (default 200) and content type", async () => {
    h.sim.controls.failNext(SERVERS, 1, { mode: 'body', body: '{"servers": "not a list"}' });
    const json = await h.compute('GET', '/servers');
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(json.text).toBe('{"servers": "not a list"}');
    await control('POST', 'fail-next', { route: SERVERS, count: 1, fault: { mode: 'body', body: '<p>gone</p>', status: 502, contentType: 'text/html' } });
    const html = await h.compute('GET', '/servers');
    expect([html.status, html.headers.get('content-type'), html.text]).toEqual([502, 'text/html', '<p>gone</p>']);
    expect((await h.compute('GET', '/servers')).body.servers.length).toBeGreaterThan(0);
    expect(h.sim.controls.requestLog().every((entry) => entry.abandoned === undefined)).toBe(true);
  });

  it("mode 'body' with hangAfterBytes sends the headers and that much of the body, then stalls", async () => {
    h.sim.controls.failNext(SERVERS, 1, { mode: 'body', body: '{"servers": []}', hangAfterBytes: 5 });
    const received = await new Promise<string>((resolve) => {
      const req = httpRequest(`${h.computeRoot}/servers`, { headers: { 'x-auth-token': h.token } }, (res) => {
        let text = `${res.statusCode} ${res.headers['content-length']} `;
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        setTimeout(() => {
          req.destroy();
          resolve(text);
        }, 150);
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect(received).toBe('200 15 {"ser');
    expect(() => h.sim.controls.failNext(SERVERS, 1, { mode: 'body', body: '', hangAfterBytes: -1 })).toThrow();
  });

  it('refuses a bad fault', () => {
    expect(() => h.sim.controls.failNext(SERVERS, 1, { mode: 'explode' as never })).toThrow();
    expect(() => h.sim.controls.failNext(SERVERS, -1)).toThrow();
    expect(() => h.sim.controls.failNext(SERVERS, 1, { mode: 'body' })).toThrow(/body/);
    expect(() => h.sim.controls.failNext(SERVERS, 1, { mode: 'body', body: '', contentType: 'a\r\nx-injected: 1' })).toThrow();
  });
});

describe('request log and counters', () => {
  it('records method, service, route, path and status of every call; counts per route', async () => {
    h.sim.controls.resetLog();
    const { id } = await h.serverNamed('web-01');
    await h.compute('GET', `/servers/${id}`);
    await h.compute('GET', '/servers/00000000-0000-4000-8000-000000000000');
    await h.image('/v2/images?limit=1');
    const log = h.sim.controls.requestLog();
    expect(log.slice(1)).toEqual([
      { method: 'GET', service: 'compute', route: 'GET compute /servers/{id}', path: `/compute/v2/${h.sim.tenantId}/servers/${id}`, status: 200 },
      { method: 'GET', service: 'compute', route: 'GET compute /servers/{id}', path: `/compute/v2/${h.sim.tenantId}/servers/00000000-0000-4000-8000-000000000000`, status: 404 },
      { method: 'GET', service: 'image', route: 'GET image /v2/images', path: '/image/v2/images?limit=1', status: 200 },
    ]);
    expect(h.sim.controls.counters()).toEqual({ 'GET compute /servers/detail': 1, 'GET compute /servers/{id}': 2, 'GET image /v2/images': 1 });
    await h.issueToken();
    expect(h.sim.controls.counters()['POST identity /v2.0/tokens']).toBe(1);
    h.sim.controls.resetLog();
    expect(h.sim.controls.requestLog()).toEqual([]);
    expect(h.sim.controls.counters()).toEqual({});
  });

  it('does not log control calls', async () => {
    h.sim.controls.resetLog();
    await control('GET', 'counters');
    expect(h.sim.controls.requestLog()).toEqual([]);
  });
});

describe('accounts, bulk servers and reset', () => {
  it('addAccount makes a tenant with its own seeded data and tokens', async () => {
    const other = { tenantId: 'c1b2c3d4e5f60718293a4b5c6d7e8f90', username: 'c@example.com', apiPassword: 'c-pass' };
    h.sim.controls.addAccount(other);
    const token = (await h.issueToken({ tenantId: other.tenantId, username: other.username, password: other.apiPassword })).body.access.token.id;
    const theirs = await h.request('GET', `${h.sim.url}/compute/v2/${other.tenantId}/servers`, undefined, token);
    const ours = await h.compute('GET', '/servers');
    expect(theirs.body.servers.map((s: any) => s.name)).toEqual(ours.body.servers.map((s: any) => s.name));
    const theirIds = new Set(theirs.body.servers.map((s: any) => s.id));
    expect(ours.body.servers.some((s: any) => theirIds.has(s.id))).toBe(false);
    expect(() => h.sim.controls.addAccount(other)).toThrow();
  });

  it('addServers adds settled servers (and raises the quota by as many)', async () => {
    h.sim.controls.addServers(200, { status: 'SHUTOFF' });
    const page = await h.compute('GET', '/servers/detail?status=SHUTOFF&limit=1000');
    expect(page.body.servers).toHaveLength(201);
    expect(page.body.servers[0]).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:task_state': null });
    expect((await h.compute('POST', '/servers', await h.createBody())).status).toBe(202);
    expect(() => h.sim.controls.addServers(1, { status: 'MELTED' })).toThrow();
    expect(() => h.sim.controls.addServers(1, { tenantId: 'nobody' })).toThrow();
  });

  it('reset restores the seed data, clears faults and the log, keeps tokens', async () => {
    const before = (await h.compute('GET', '/servers')).body.servers;
    await h.compute('DELETE', `/servers/${before[0].id}`);
    h.sim.controls.addServers(3);
    h.sim.controls.failNext(SERVERS, 5);
    h.sim.controls.setTokenLifetime(0);
    h.sim.controls.reset();
    expect((await h.compute('GET', '/servers')).body.servers).toEqual(before);
    expect(h.sim.controls.requestLog()).toHaveLength(1);
    const token = (await h.issueToken()).body.access.token;
    expect(Date.parse(token.expires) - Date.now()).toBeGreaterThan(11 * 3600_000);
  });

  it('the same seed gives the same ids; another seed other ids', async () => {
    const idsOf = async (seed: number) => {
      const sim = await startSimulator({ seed });
      const harness = new Harness(sim);
      await harness.login();
      const servers = (await harness.compute('GET', '/servers')).body.servers.map((s: any) => s.id);
      const flavors = (await harness.compute('GET', '/flavors')).body.flavors.map((f: any) => f.id);
      await sim.close();
      return [...servers, ...flavors];
    };
    const a = await idsOf(42);
    expect(a).toEqual(await idsOf(42));
    expect(a).toEqual([...(await h.compute('GET', '/servers')).body.servers.map((s: any) => s.id), ...(await h.compute('GET', '/flavors')).body.flavors.map((f: any) => f.id)]);
    expect((await idsOf(43)).filter((id) => a.includes(id))).toEqual([]);
  });
});

describe('the same controls over HTTP', () => {
  it('latency, error-rate, fail-next, revoke-tokens, token-lifetime, accounts, servers, request-log, counters, reset-log, reset', async () => {
    expect((await control('POST', 'fail-next', { route: SERVERS, count: 1, fault: { status: 429 } })).status).toBe(204);
    expect((await h.compute('GET', '/servers')).status).toBe(429);
    expect((await control('POST', 'error-rate', { service: 'image', rate: 1 })).status).toBe(204);
    expect((await h.image('/v2/images')).status).toBe(503);
    expect((await control('POST', 'error-rate', { service: 'image', rate: 0 })).status).toBe(204);
    expect((await control('POST', 'latency', { ms: 0 })).status).toBe(204);
    expect((await control('POST', 'servers', { count: 4, status: 'PAUSED' })).status).toBe(204);
    expect((await h.compute('GET', '/servers?status=PAUSED')).body.servers).toHaveLength(4);
    const counters = await control('GET', 'counters');
    expect(counters.body[SERVERS]).toBe(2);
    expect((await control('GET', 'request-log')).body.at(-1)).toMatchObject({ route: SERVERS, status: 200 });
    expect((await control('POST', 'reset-log')).status).toBe(204);
    expect((await control('GET', 'request-log')).body).toEqual([]);
    expect((await control('POST', 'accounts', { tenantId: 'd1b2c3d4e5f60718293a4b5c6d7e8f90', username: 'd', apiPassword: 'd' })).status).toBe(204);
    expect((await h.issueToken({ tenantId: 'd1b2c3d4e5f60718293a4b5c6d7e8f90', username: 'd', password: 'd' })).status).toBe(200);
    expect((await control('POST', 'token-lifetime', { seconds: 60 })).status).toBe(204);
    const short = (await h.issueToken()).body.access.token;
    expect(Date.parse(short.expires) - Date.now()).toBeLessThan(61_000);
    expect((await control('POST', 'revoke-tokens')).status).toBe(204);
    expect((await h.compute('GET', '/flavors')).status).toBe(401);
    await h.login();
    expect((await control('POST', 'reset')).status).toBe(204);
    expect((await h.compute('GET', '/servers?status=PAUSED')).body.servers).toEqual([]);
  });

  it('answers 404 for an unknown control, 405 for a wrong method, 400 for bad arguments', async () => {
    expect((await control('POST', 'explode')).status).toBe(404);
    expect((await control('GET', 'reset')).status).toBe(405);
    const bad = await control('POST', 'error-rate', { service: 'dns', rate: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/service must be one of/);
  });
});
