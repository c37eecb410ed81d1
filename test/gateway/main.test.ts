// `npm start` as a user runs it: with no NHN_IDENTITY_URL it says it runs on the embedded simulator,
// serves GraphQL, GraphiQL, /health and /ready, and drains and exits 0 on SIGTERM: /ready turns 503
// while a request in flight still finishes with its data.

import { afterEach, expect, test } from 'vitest';
import { eventually, type GatewayProcess, startGatewayProcess } from '../helpers/gateway.js';

let running: GatewayProcess | undefined;

afterEach(() => {
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  running = undefined;
});

const postQuery = (origin: string, query: string) =>
  fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

test('npm start on the embedded simulator: serves, then shuts down cleanly on SIGTERM', async () => {
  running = await startGatewayProcess({ LOG_LEVEL: 'warn', SIMULATOR_BUILD_DELAY_MS: '50' });
  const { origin } = running;
  expect(running.output().split('\n')[0]).toMatch(/embedded NHN API simulator at http:\/\/127\.0\.0\.1:\d+/);

  expect((await fetch(`${origin}/health`)).status).toBe(200);
  expect((await fetch(`${origin}/ready`)).status).toBe(200);
  const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  await page.arrayBuffer();
  const query = await postQuery(origin, '{ servers { edges { node { name flavor { name } image { name } } } } }');
  const body = (await query.json()) as { data: { servers: { edges: unknown[] } } };
  expect(body.data.servers.edges).toHaveLength(6);

  expect(await running.stop()).toBe(0);
});

test('SIGTERM with a request in flight: /ready turns 503, the request finishes with its data, exit 0', async () => {
  running = await startGatewayProcess({ LOG_LEVEL: 'warn' });
  const { origin, simulatorUrl } = running;
  const control = (name: string, args?: unknown) =>
    fetch(`${simulatorUrl}/__simulator/${name}`, args === undefined ? {} : { method: 'POST', body: JSON.stringify(args) });
  await postQuery(origin, '{ flavors { id } }'); // token and catalog first: only the list is slow
  await control('latency', { ms: 1500, service: 'compute' });
  await control('reset-log', {});

  let settled = false;
  const slow = postQuery(origin, '{ servers { edges { node { name } } } }').finally(() => (settled = true));
  // SIGTERM only once the list call is at the simulator, i.e. truly in flight.
  const atSimulator = async () => ((await (await control('request-log')).json()) as { route: string }[]).some((e) => e.route === 'GET compute /servers');
  expect(await eventually(atSimulator)).toBe(true);
  running.child.kill('SIGTERM');
  // The signal arrives a moment later: until then /ready may still say 200.
  expect(await eventually(async () => (await fetch(`${origin}/ready`)).status === 503)).toBe(true);
  expect(settled).toBe(false);

  const response = await slow;
  expect(response.status).toBe(200);
  expect(((await response.json()) as { data: { servers: { edges: unknown[] } } }).data.servers.edges).toHaveLength(6);
  expect(await running.stop()).toBe(0);
});
