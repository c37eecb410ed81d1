// The Prometheus endpoint after a known set of requests (one failing upstream among them): every
// count and every label exactly; operation names and upstream routes bounded whatever callers send;
// one registry per gateway.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { serveMetrics, type MetricsServer } from '../../src/observability/index.js';
import { OperationNames } from '../../src/observability/metrics.js';
import { routeTemplate } from '../../src/upstream/urls.js';
import { type Stack, startStack } from '../helpers/gateway.js';
import { parseExposition, type Sample, series } from './scrape.js';

let stack: Stack;
let server: MetricsServer;
let samples: Sample[];

async function scrape(port = server.port): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

beforeAll(async () => {
  // A breaker that opens after 3 failures: the failing request below opens it.
  stack = await startStack({ env: { UPSTREAM_BREAKER_FAILURES: '3', METRICS_PORT: '0' } });
  server = await serveMetrics(stack.observability.metrics!, stack.config.metrics.port!, '127.0.0.1');

  expect((await stack.gql('query Zones { availabilityZones { name } }')).errors).toBeUndefined();
  expect((await stack.gql('query FlavorList { flavors { id } }')).errors).toBeUndefined();
  expect((await stack.gql('query FlavorList { flavors { id } }')).errors).toBeUndefined();
  const list = await stack.gql('query Servers { servers(first: 1) { edges { node { id } } } }');
  const id: string = list.data.servers.edges[0].node.id;
  expect((await stack.gql('query OneServer($id: ID!) { server(id: $id) { id name } }', { id })).errors).toBeUndefined();
  expect((await stack.gql('{ flavors { name } }')).errors).toBeUndefined();
  expect((await stack.gql('query { ')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  // Three 503s: the first try and two retries, all failing; the third failure opens the breaker, and
  // the second request then fails fast without a call.
  stack.sim.controls.failNext('GET compute /os-availability-zone', 3, { status: 503 });
  for (let i = 0; i < 2; i++) {
    expect((await stack.gql('query ZonesFailing { availabilityZones { name } }')).errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  }
  samples = await scrape();
});
afterAll(async () => {
  await server?.close();
  await stack?.close();
});

describe('after a known set of requests', () => {
  test('operations: count by name and type, errors by code', () => {
    expect(series(samples, 'nhn_gateway_graphql_operation_duration_seconds_count')).toEqual({
      'operation_name=Zones,operation_type=query': 1,
      'operation_name=FlavorList,operation_type=query': 2,
      'operation_name=Servers,operation_type=query': 1,
      'operation_name=OneServer,operation_type=query': 1,
      'operation_name=anonymous,operation_type=query': 1,
      'operation_name=anonymous,operation_type=unknown': 1,
      'operation_name=ZonesFailing,operation_type=query': 2,
    });
    expect(series(samples, 'nhn_gateway_graphql_operation_errors_total')).toEqual({
      'operation_name=anonymous,operation_type=unknown,code=GRAPHQL_PARSE_FAILED': 1,
      'operation_name=ZonesFailing,operation_type=query,code=UPSTREAM_UNAVAILABLE': 2,
    });
    // The histogram's buckets add up: the +Inf bucket is the count.
    const infinite = samples.filter((s) => s.name === 'nhn_gateway_graphql_operation_duration_seconds_bucket' && s.labels.le === '+Inf');
    expect(infinite.reduce((sum, s) => sum + s.value, 0)).toBe(9);
  });

  test('upstream calls: by service, route template, method, status; retries, breaker, tokens, caches', () => {
    expect(series(samples, 'nhn_gateway_upstream_request_duration_seconds_count')).toEqual({
      'service=identity,operation=/v2.0/tokens,method=POST,status_code=200,error_type=': 1,
      'service=compute,operation=/v2/{tenantId}/os-availability-zone,method=GET,status_code=200,error_type=': 1,
      'service=compute,operation=/v2/{tenantId}/flavors/detail,method=GET,status_code=200,error_type=': 1,
      'service=compute,operation=/v2/{tenantId}/servers,method=GET,status_code=200,error_type=': 1,
      'service=compute,operation=/v2/{tenantId}/servers/{id},method=GET,status_code=200,error_type=': 1,
      'service=compute,operation=/v2/{tenantId}/os-availability-zone,method=GET,status_code=503,error_type=503': 3,
    });
    // The same count as the simulator's own log (token issuance included).
    const simulatorCalls = Object.values(stack.sim.controls.counters()).reduce((a, b) => a + b, 0);
    expect(simulatorCalls).toBe(8);
    expect(series(samples, 'nhn_gateway_upstream_retries_total')).toEqual({
      'service=compute,operation=/v2/{tenantId}/os-availability-zone,method=GET': 2,
    });
    expect(series(samples, 'nhn_gateway_upstream_breaker_openings_total')).toEqual({ 'service=compute': 1 });
    expect(series(samples, 'nhn_gateway_upstream_breaker_state')).toEqual({ 'service=identity': 0, 'service=compute': 2 });
    expect(series(samples, 'nhn_gateway_tokens_total')).toEqual({ 'kind=refresh,outcome=success': 1 });
    // flavors: the first FlavorList missed, the second and the anonymous one hit.
    expect(series(samples, 'nhn_gateway_cache_lookups_total')).toEqual({ 'cache=flavors,result=miss': 1, 'cache=flavors,result=hit': 2 });
  });

  test('no label value is an id, a tenant or a token', () => {
    const values = samples.flatMap((s) => Object.values(s.labels)).join('\n');
    expect(values).not.toContain(stack.sim.tenantId);
    expect(values).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(values).not.toMatch(/[0-9a-f]{32}/);
  });

  test('the process metrics prom-client collects by default are there', () => {
    const names = new Set(samples.map((s) => s.name));
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(names, name).toContain(name);
    }
  });

  test('the metrics listener answers /metrics only, and not on the API port', async () => {
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    expect((await stack.gateway.yoga.fetch('http://gateway.test/metrics')).status).toBe(404);
  });
});

describe('bounded labels', () => {
  test('a thousand random operation names: the first N labelled, the rest "other"', async () => {
    await using other = await disposableStack({ METRICS_MAX_OPERATION_NAMES: '5' });
    const names = Array.from({ length: 1000 }, (_, i) => `Op_${i}_${Math.random().toString(36).slice(2)}`);
    for (const name of names) await other.stack.post({ query: `query ${name} { __typename }` });
    const counts = series(parseExposition(await other.stack.observability.metrics!.scrape()), 'nhn_gateway_graphql_operation_duration_seconds_count');
    const expected: Record<string, number> = { 'operation_name=other,operation_type=query': 995 };
    for (const name of names.slice(0, 5)) expected[`operation_name=${name},operation_type=query`] = 1;
    expect(counts).toEqual(expected);
  });

  test('with persisted operations, their names are labelled even when no other name is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'persisted-'));
    const file = join(dir, 'operations.json');
    writeFileSync(file, JSON.stringify({ abc123: 'query ListedFlavors { flavors { id } }' }));
    try {
      await using other = await disposableStack({ PERSISTED_OPERATIONS_FILE: file, METRICS_MAX_OPERATION_NAMES: '0' });
      const body = await (await other.stack.post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc123' } } })).json();
      expect(body.errors).toBeUndefined();
      const counts = series(parseExposition(await other.stack.observability.metrics!.scrape()), 'nhn_gateway_graphql_operation_duration_seconds_count');
      expect(counts).toEqual({ 'operation_name=ListedFlavors,operation_type=query': 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('persisted (allowed) names are labelled whatever their number; names that are not GraphQL names never', () => {
    const names = new OperationNames(1, ['ServersPage', 'ServerDetail']);
    expect(names.label('First')).toBe('First');
    expect(names.label('Second')).toBe('other');
    expect(names.label('ServerDetail')).toBe('ServerDetail');
    expect(names.label(undefined)).toBe('anonymous');
    expect(new OperationNames(10).label('a'.repeat(101))).toBe('other');
    expect(new OperationNames(10).label('other')).toBe('other');
  });

  test('route templates: a thousand random ids and names give the same few templates', () => {
    const templates = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = encodeURIComponent(`${Math.random().toString(36)}/${i} ?x=${i}`);
      for (const path of [`/servers/${id}`, `/servers/${id}/action`, `/servers/${id}/os-volume_attachments/${id}`, `/os-keypairs/${id}`, `/v2/images/${id}`, `/volumes/${id}`, `/servers/detail?limit=${i}&marker=${id}`]) {
        templates.add(routeTemplate(path));
      }
    }
    expect([...templates].sort()).toEqual([
      '/os-keypairs/{id}',
      '/servers/detail',
      '/servers/{id}',
      '/servers/{id}/action',
      '/servers/{id}/os-volume_attachments/{id}',
      '/v2/images/{id}',
      '/volumes/{id}',
    ]);
    expect(routeTemplate('/v2.0/subnets?network_id=abc')).toBe('/v2.0/subnets');
  });
});

test('two gateways in one process keep their own registries', async () => {
  await using other = await disposableStack({});
  await other.stack.gql('query OnlyHere { flavors { id } }');
  const mine = series(samples, 'nhn_gateway_graphql_operation_duration_seconds_count');
  const theirs = series(parseExposition(await other.stack.observability.metrics!.scrape()), 'nhn_gateway_graphql_operation_duration_seconds_count');
  expect(theirs).toEqual({ 'operation_name=OnlyHere,operation_type=query': 1 });
  expect(Object.keys(mine)).not.toContain('operation_name=OnlyHere,operation_type=query');
});

test('METRICS_PORT: default 9464, off turns metrics off entirely, bad values stop the start', () => {
  const base = { NHN_IDENTITY_URL: 'http://127.0.0.1:1', NHN_TENANT_ID: 't', NHN_USERNAME: 'u', NHN_API_PASSWORD: 'p' };
  expect(loadConfig(base).metrics.port).toBe(9464);
  expect(loadConfig({ ...base, METRICS_PORT: 'off' }).metrics.port).toBeUndefined();
  expect(loadConfig({ ...base, METRICS_PORT: '0' }).metrics.port).toBe(0);
  expect(() => loadConfig({ ...base, METRICS_PORT: 'nine' })).toThrow(/METRICS_PORT/);
});

test('with METRICS_PORT=off nothing is measured', async () => {
  await using other = await disposableStack({ METRICS_PORT: 'off' });
  expect(other.stack.observability.metrics).toBeUndefined();
  expect((await other.stack.gql('{ flavors { id } }')).errors).toBeUndefined();
});

async function disposableStack(env: Record<string, string>) {
  const created = await startStack({ env });
  return { stack: created, [Symbol.asyncDispose]: () => created.close() };
}
