// The HTTP surface around the schema: health and readiness, CSRF, CORS, request logging and GraphiQL
// (offline, with example tabs that run). The request and operation limits are in limits.test.ts.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { getIntrospectionQuery } from '../../src/schema/graphql.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { createUpstreamClient } from '../../src/upstream/index.js';
import { type GraphQLBody, GRAPHQL_URL, type Stack, eventually, startStack, waitForStatus } from '../helpers/gateway.js';

let stack: Stack;
const logLines: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    gateway: { logger: createLogger('debug', (line) => logLines.push(line)) },
  });
});
afterAll(() => stack.close());

/** A second gateway over the same simulator with other settings. */
async function gatewayWith(env: Record<string, string>) {
  const other = await startStack({ env });
  return other;
}

const fetchGateway = (path: string, init: RequestInit = {}, target = stack) =>
  Promise.resolve(target.gateway.yoga.fetch(`http://gateway.test${path}`, init));

describe('health and readiness', () => {
  test('/health answers 200, /ready 200 once the service account holds a token', async () => {
    expect((await fetchGateway('/health')).status).toBe(200);
    expect((await fetchGateway('/ready')).status).toBe(200);
  });

  test('/ready is 503 while the upstream cannot issue a token, without saying why', async () => {
    const config = loadConfig({
      NHN_IDENTITY_URL: 'http://127.0.0.1:9',
      NHN_TENANT_ID: 't',
      NHN_USERNAME: 'u',
      NHN_API_PASSWORD: 'secret-password',
      UPSTREAM_MAX_RETRIES: '0',
    });
    const upstream = createUpstreamClient(config);
    try {
      const gateway = createGateway({ config, upstream, logger: createLogger('silent') });
      const response = await gateway.yoga.fetch('http://gateway.test/ready');
      expect(response.status).toBe(503);
      expect(await response.text()).toBe('');
    } finally {
      await upstream.close();
    }
  });

  test('/ready turns 503 when shutdown begins; /health stays 200', async () => {
    const gateway = createGateway({ config: stack.config, upstream: stack.upstream, logger: createLogger('silent') });
    expect((await gateway.yoga.fetch('http://gateway.test/ready')).status).toBe(200);
    gateway.beginShutdown();
    expect((await gateway.yoga.fetch('http://gateway.test/ready')).status).toBe(503);
    expect((await gateway.yoga.fetch('http://gateway.test/health')).status).toBe(200);
  });
});

describe('CSRF prevention', () => {
  const query = encodeURIComponent('{ keypairs { name } }');

  test('a GET operation needs the x-graphql-csrf header', async () => {
    const bare = await fetchGateway(`/graphql?query=${query}`, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(403);
    expect(((await bare.json()) as GraphQLBody).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const marked = await fetchGateway(`/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', 'x-graphql-csrf': '1' } });
    expect(marked.status).toBe(200);
    expect(await marked.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test.each([
    ['application/x-www-form-urlencoded', `query=${query}`],
    ['text/plain', JSON.stringify({ query: '{ keypairs { name } }' })],
    ['multipart/form-data; boundary=x', `--x\r\ncontent-disposition: form-data; name="query"\r\n\r\n{ keypairs { name } }\r\n--x--`],
  ])('a POST of %s (a "simple" cross-site request) is refused before any upstream call', async (type, body) => {
    stack.sim.controls.resetLog();
    const response = await fetchGateway('/graphql', { method: 'POST', headers: { 'content-type': type }, body });
    expect(response.status).toBe(403);
    expect(((await response.json()) as GraphQLBody).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(stack.calls()).toEqual({});
  });

  test('a JSON POST passes', async () => {
    const response = await stack.post({ query: '{ __typename }' });
    expect(response.status).toBe(200);
  });
});

describe('CORS', () => {
  const preflight = (target: Stack, origin: string) =>
    fetchGateway(
      '/graphql',
      { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } },
      target,
    );
  const crossOriginPost = (target: Stack, origin: string) =>
    fetchGateway('/graphql', { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }, target);
  const allowed = (response: Response) => response.headers.get('access-control-allow-origin');

  test('off by default: no Access-Control-Allow-Origin for any origin', async () => {
    for (const origin of ['https://app.example', 'http://localhost:3000', 'null']) {
      expect(allowed(await preflight(stack, origin))).toBeNull();
      expect(allowed(await crossOriginPost(stack, origin))).toBeNull();
    }
  });

  test('CORS_ORIGINS allows exactly those origins; others get no CORS headers at all', async () => {
    const withCors = await gatewayWith({ CORS_ORIGINS: 'https://app.example, https://admin.example' });
    try {
      for (const origin of ['https://app.example', 'https://admin.example']) {
        expect(allowed(await preflight(withCors, origin))).toBe(origin);
        expect(allowed(await crossOriginPost(withCors, origin))).toBe(origin);
      }
      for (const origin of ['https://evil.example', 'https://app.example.evil.example', 'null']) {
        const answers = [await preflight(withCors, origin), await crossOriginPost(withCors, origin)];
        expect(answers.map(allowed)).toEqual([null, null]);
        expect(answers.some((answer) => [...answer.headers.keys()].some((name) => name.startsWith('access-control-')))).toBe(false);
      }
    } finally {
      await withCors.close();
    }
  });
});

describe('request log', () => {
  test('one debug line per request, with the request id and without headers or variables', async () => {
    logLines.length = 0;
    const token = 'secret-token-value-1234';
    const response = await stack.post(
      { query: 'query($v: String) { keypair(name: $v) { name } }', variables: { v: 'variable-value-5678' } },
      { 'X-Auth-Token': token, 'X-Tenant-Id': stack.sim.tenantId, 'x-request-id': 'req-from-client' },
    );
    expect(response.headers.get('x-request-id')).toBe('req-from-client');
    const requestLines = logLines.filter((line) => JSON.parse(line).msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(JSON.parse(requestLines[0]!)).toMatchObject({ level: 'debug', requestId: 'req-from-client', method: 'POST', path: '/graphql', status: 200 });
    const everything = logLines.join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain('variable-value-5678');
  });
});

/** The first `next` event of a subscription over SSE (then the stream is let go). */
async function firstEvent(query: string, variables: unknown): Promise<{ data?: unknown; errors?: unknown[] }> {
  const response = await stack.gateway.yoga.fetch(GRAPHQL_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
  });
  const reader = response.body!.getReader();
  let text = '';
  while (!/^data: .*$/m.test(text)) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  await reader.cancel();
  return JSON.parse(/^data: (.*)$/m.exec(text)![1]!);
}

describe('GraphiQL', () => {
  let page: string;
  let tabs: { query: string; variables?: string; headers?: string }[];

  beforeAll(async () => {
    const demoAccount = { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword };
    const gateway = createGateway({ config: stack.config, upstream: stack.upstream, logger: createLogger('silent'), demoAccount });
    const response = await gateway.yoga.fetch(GRAPHQL_URL, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    page = await response.text();
    const start = page.indexOf('{"title"');
    const end = page.indexOf('\n', start);
    // The options object is the second argument of renderYogaGraphiQL(...), alone on its line.
    tabs = JSON.parse(page.slice(start, end).trim().replace(/,$/, '')).defaultTabs;
  });

  test('is served offline: no script, style or worker from another origin', () => {
    expect(page.length).toBeGreaterThan(1_000_000);
    expect(page).not.toMatch(/<(script|link)[^>]+(src|href)="https?:\/\//);
    expect(page).not.toMatch(/(unpkg\.com|cdn\.jsdelivr\.net|esm\.sh)/);
  });

  test('opens with the example tabs, and every tab runs as it is', async () => {
    expect(tabs.map((t) => /(query|mutation|subscription) (\w+)/.exec(t.query)?.[2])).toEqual([
      'ListServers',
      'CreateServerChoices',
      'CreateServer',
      'CreateDataVolume',
      'StopServer',
      'WatchServer',
      'MakeServerReachable',
      'ParkServer',
      'IssueToken',
      'AsCaller',
    ]);
    expect(tabs.at(-1)!.headers).toMatch(/X-Auth-Token/);
    // A tab with several operations runs each in order, and a person waits where the tab says a
    // step takes a moment: RestartServer needs its server parked, SnapshotDataVolume its volume attached.
    const settledBefore: Record<string, (variables: Record<string, string>) => Promise<void>> = {
      RestartServer: (v) => waitForStatus(stack, v.id!, 'SHELVED_OFFLOADED'),
      SnapshotDataVolume: async (v) => {
        const volumeStatus = async () => (await stack.gql('query($id: ID!) { volume(id: $id) { status } }', { id: v.volumeId })).data?.volume?.status;
        expect(await eventually(async () => (await volumeStatus()) === 'in-use')).toBe(true);
      },
    };
    for (const tab of tabs) {
      const variables = tab.variables ? JSON.parse(tab.variables) : undefined;
      const headers = tab.headers ? JSON.parse(tab.headers) : undefined;
      // A tab of several operations runs them in order, as its comment tells a person to: the id each
      // answers under an alias goes into the variable of that name.
      const operations = [...tab.query.matchAll(/^(?:query|mutation) (\w+)/gm)].map((m) => m[1]!);
      for (const operationName of operations.length > 1 ? operations : [undefined]) {
        if (operationName && settledBefore[operationName]) await settledBefore[operationName](variables);
        const body: GraphQLBody = tab.query.includes('subscription ')
          ? await firstEvent(tab.query, variables)
          : await (await stack.post({ query: tab.query, variables, ...(operationName ? { operationName } : {}) }, headers)).json();
        expect(body.errors, `${operationName ?? tab.query.split('\n').find((l) => !l.startsWith('#'))}: ${JSON.stringify(body.errors)}`).toBeUndefined();
        for (const [alias, value] of Object.entries(operationName ? (body.data ?? {}) : {})) {
          if (typeof (value as { id?: unknown } | null)?.id === 'string') variables[alias] = (value as { id: string }).id;
        }
      }
    }
    // The reachable-server tab ends with the server showing its floating IP.
    const reachable = tabs.find((t) => t.query.includes('mutation MakeServerReachable'))!;
    const readBack = await stack.post({ query: reachable.query, variables: JSON.parse(reachable.variables!), operationName: 'ReadBackServer' });
    const server = ((await readBack.json()) as GraphQLBody).data.server;
    expect(server.addresses.map((a: any) => a.type)).toContain('FLOATING');
    expect(server.floatingIps).toHaveLength(1);
  });

  test('a document of several operations runs the one operationName names, each time', async () => {
    const query = 'query First { flavors { id } } query Second { keypairs { name } }';
    for (const operationName of ['First', 'Second', 'First', 'Second']) {
      const body = (await (await stack.post({ query, operationName })).json()) as GraphQLBody;
      expect(Object.keys(body.data)).toEqual([operationName === 'First' ? 'flavors' : 'keypairs']);
    }
  });

  test("GraphiQL's own introspection query fits the default limits", async () => {
    const body = await stack.gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(body.errors).toBeUndefined();
    expect(body.data.__schema.queryType.name).toBe('Query');
  });

  test('is not served when GRAPHIQL=false', async () => {
    const plain = await gatewayWith({ GRAPHIQL: 'false' });
    try {
      const response = await fetchGateway('/graphql', { headers: { accept: 'text/html' } }, plain);
      expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    } finally {
      await plain.close();
    }
  });
});
