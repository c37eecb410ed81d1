// The HTTP surface around the schema: health and readiness, CSRF, body size, batching, CORS,
// introspection, query limits, persisted operations, request logging and GraphiQL (offline, with
// example tabs that run).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { getIntrospectionQuery } from '../../src/schema/graphql.js';
import { createGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { createUpstreamClient } from '../../src/upstream/index.js';
import { type GraphQLBody, GRAPHQL_URL, type Stack, startStack } from '../helpers/gateway.js';

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
  const query = encodeURIComponent('{ __typename }');

  test('a GET operation needs the x-graphql-csrf header', async () => {
    const bare = await fetchGateway(`/graphql?query=${query}`, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(403);
    const marked = await fetchGateway(`/graphql?query=${query}`, { headers: { accept: 'application/json', 'x-graphql-csrf': '1' } });
    expect(marked.status).toBe(200);
    expect(await marked.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test('a form-encoded POST (a "simple" cross-site request) is refused', async () => {
    const response = await fetchGateway('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${query}`,
    });
    expect(response.status).toBe(403);
  });

  test('a JSON POST passes', async () => {
    const response = await stack.post({ query: '{ __typename }' });
    expect(response.status).toBe(200);
  });
});

describe('request limits', () => {
  test('a body over LIMIT_MAX_BODY_BYTES is 413', async () => {
    const response = await stack.post({ query: `{ __typename }`, variables: { padding: 'x'.repeat(stack.config.limits.maxBodyBytes) } });
    expect(response.status).toBe(413);
  });

  test('batches up to LIMIT_MAX_BATCH operations; more are refused', async () => {
    const two = await stack.post([{ query: '{ a: __typename }' }, { query: '{ b: __typename }' }]);
    expect(await two.json()).toEqual([{ data: { a: 'Query' } }, { data: { b: 'Query' } }]);
    const tooMany = await stack.post(Array.from({ length: stack.config.limits.maxBatchOperations + 1 }, () => ({ query: '{ __typename }' })));
    const body = (await tooMany.json()) as GraphQLBody;
    expect(body.errors?.[0]?.message).toMatch(/Batching is limited to/);
  });

  test('depth and aliases are limited (graphql-armor), before any upstream call', async () => {
    const limited = await gatewayWith({ LIMIT_MAX_DEPTH: '3', LIMIT_MAX_ALIASES: '2' });
    try {
      const deep = await limited.gql('{ servers { edges { node { flavor { name } } } } }');
      expect(deep.errors?.[0]?.message).toMatch(/depth limit of 3/);
      const aliased = await limited.gql('{ a: flavors { id } b: flavors { id } c: flavors { id } }');
      expect(aliased.errors?.[0]?.message).toMatch(/Aliases limit of 2/);
      expect(limited.calls()).toEqual({});
    } finally {
      await limited.close();
    }
  });

  test('query cost is limited (graphql-armor)', async () => {
    const limited = await gatewayWith({ LIMIT_MAX_COST: '10' });
    try {
      const costly = await limited.gql('{ flavors { id name vcpus ram disk extraSpecs { key value } } keypairs { name publicKey } }');
      expect(costly.errors?.[0]?.message).toMatch(/Cost limit of 10/);
      expect((await limited.gql('{ flavors { id } }')).errors).toBeUndefined();
    } finally {
      await limited.close();
    }
  });
});

describe('CORS', () => {
  const preflight = (target: Stack) =>
    fetchGateway(
      '/graphql',
      { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } },
      target,
    );

  test('off by default: no cross-origin access', async () => {
    expect((await preflight(stack)).headers.get('access-control-allow-origin')).toBeNull();
  });

  test('CORS_ORIGINS allows exactly those origins', async () => {
    const withCors = await gatewayWith({ CORS_ORIGINS: 'https://app.example' });
    try {
      expect((await preflight(withCors)).headers.get('access-control-allow-origin')).toBe('https://app.example');
    } finally {
      await withCors.close();
    }
  });
});

describe('introspection and persisted operations', () => {
  test('introspection is on unless INTROSPECTION=false', async () => {
    expect((await stack.gql('{ __schema { queryType { name } } }')).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const closed = await gatewayWith({ INTROSPECTION: 'false' });
    try {
      const body = await closed.gql('{ __schema { queryType { name } } }');
      expect(body.errors?.[0]?.message).toMatch(/introspection/i);
      expect((await closed.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
      // Without introspection, field suggestions would leak the schema: they are hidden.
      const typo = await closed.gql('{ flavorz { id } }');
      expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    } finally {
      await closed.close();
    }
  });

  test('with PERSISTED_OPERATIONS_FILE only the listed operations run', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'persisted-')), 'operations.json');
    writeFileSync(file, JSON.stringify({ zones: '{ availabilityZones { name } }' }));
    const persisted = await gatewayWith({ PERSISTED_OPERATIONS_FILE: file });
    try {
      const listed = await persisted.post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'zones' } } });
      expect(((await listed.json()) as GraphQLBody).data.availabilityZones).toHaveLength(2);
      const arbitrary = (await (await persisted.post({ query: '{ keypairs { name } }' })).json()) as GraphQLBody;
      expect(arbitrary.errors?.[0]?.message).toMatch(/PersistedQueryOnly|persisted/i);
      expect(persisted.calls()).toEqual({ 'GET compute /os-availability-zone': 1 });
    } finally {
      await persisted.close();
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
    expect(tabs.map((t) => /(query|mutation) (\w+)/.exec(t.query)?.[2])).toEqual([
      'ListServers',
      'CreateServerChoices',
      'CreateServer',
      'StopServer',
      'IssueToken',
      'AsCaller',
    ]);
    expect(tabs.at(-1)!.headers).toMatch(/X-Auth-Token/);
    for (const tab of tabs) {
      const variables = tab.variables ? JSON.parse(tab.variables) : undefined;
      const headers = tab.headers ? JSON.parse(tab.headers) : undefined;
      const body = await stack.gql(tab.query, variables, headers);
      expect(body.errors, `${tab.query.split('\n').find((l) => !l.startsWith('#'))}: ${JSON.stringify(body.errors)}`).toBeUndefined();
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
