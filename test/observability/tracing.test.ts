// Traces: an OTLP receiver inside the test gets the spans of a request sent with a W3C traceparent,
// over OTLP/HTTP protobuf and JSON: the operation's server span continues the caller's trace, each
// upstream HTTP request is a client span under it (a retry one more, with its resend count), with the
// HTTP semantic-convention attributes and nothing secret.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type Stack, eventually, startStack } from '../helpers/gateway.js';
import { type ReceivedSpan, type Receiver, startReceiver } from './otlp-receiver.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const SECRET_VARIABLE = 'variable-value-that-is-secret-1234';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe.each(['http/protobuf', 'http/json'] as const)('over %s', (protocol) => {
  let stack: Stack;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    stack = await startStack({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_SERVICE_NAME: 'gateway-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
        // The protobuf run also compresses, as collectors commonly ask.
        OTEL_EXPORTER_OTLP_COMPRESSION: protocol === 'http/protobuf' ? 'gzip' : 'none',
      },
    });
    // The service account's token first, outside the traced request (its refresh is shared work).
    await stack.upstream.ready();
    const list = await stack.gql('{ servers(first: 1) { edges { node { id } } } }');
    const id: string = list.data.servers.edges[0].node.id;
    await stack.observability.tracing!.flush();
    receiver.spans.length = 0;

    // One 502 first: the GET is retried once.
    stack.sim.controls.failNext('GET compute /servers/{id}', 1, { status: 502 });
    const response = await stack.post(
      { query: 'query ServerAndZones($id: ID!, $note: String!) { server(id: $id) { id name } keypair(name: $note) { name } }', variables: { id, note: SECRET_VARIABLE } },
      { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, 'x-request-id': 'traced-request' },
    );
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    await stack.observability.tracing!.flush();
    expect(await eventually(() => receiver.spans.some((s) => s.traceId === CALLER_TRACE && s.kind === 2))).toBe(true);
    spans = receiver.spans.filter((s) => s.traceId === CALLER_TRACE);
  });
  afterAll(() => stack?.close());

  test('exported in the configured encoding, with the service name', () => {
    expect(receiver.contentTypes.at(-1)).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
    expect(receiver.encodings.at(-1)).toBe(protocol === 'http/json' ? '' : 'gzip');
    expect(spans[0]!.resource).toMatchObject({ 'service.name': 'gateway-under-test', 'deployment.environment': 'test' });
  });

  test('the operation span continues the caller trace; every upstream request is a client span under it', () => {
    const operation = spans.filter((s) => s.kind === 2);
    expect(operation).toHaveLength(1);
    expect(operation[0]).toMatchObject({
      name: 'query ServerAndZones',
      parentSpanId: CALLER_SPAN,
      attributes: { 'graphql.operation.name': 'ServerAndZones', 'graphql.operation.type': 'query', 'nhn.upstream_calls': 3 },
      statusCode: 0,
    });
    const clients = spans.filter((s) => s.kind === 3);
    expect(clients.map((s) => s.parentSpanId)).toEqual(clients.map(() => operation[0]!.spanId));
    const host = new URL(stack.sim.url);
    const byRoute = clients.map((s) => [s.name, s.attributes]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const common = { 'http.request.method': 'GET', 'server.address': host.hostname, 'server.port': Number(host.port), 'nhn.service': 'compute' };
    expect(byRoute).toEqual([
      ['GET /v2/{tenantId}/os-keypairs/{id}', { ...common, 'url.template': '/v2/{tenantId}/os-keypairs/{id}', 'http.response.status_code': 404, 'error.type': '404' }],
      ['GET /v2/{tenantId}/servers/{id}', { ...common, 'url.template': '/v2/{tenantId}/servers/{id}', 'http.response.status_code': 502, 'error.type': '502' }],
      ['GET /v2/{tenantId}/servers/{id}', { ...common, 'url.template': '/v2/{tenantId}/servers/{id}', 'http.response.status_code': 200, 'http.request.resend_count': 1 }],
    ]);
    expect(spans).toHaveLength(4);
  });

  test('no attribute carries a token, a password, a tenant or a variable value', () => {
    const everything = JSON.stringify(spans);
    expect(everything).not.toContain(SECRET_VARIABLE);
    expect(everything).not.toContain(stack.sim.apiPassword);
    expect(everything).not.toContain(stack.sim.tenantId);
    expect(everything).not.toMatch(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/);
  });
});

test('a request without traceparent starts a trace of its own; errors mark the span', async () => {
  const receiverSpans = receiver.spans;
  const stack = await startStack({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' } });
  try {
    receiverSpans.length = 0;
    await stack.gql('query Broken { server(id: "") { id } }');
    await stack.observability.tracing!.flush();
    expect(await eventually(() => receiverSpans.some((s) => s.kind === 2))).toBe(true);
    const operation = receiverSpans.find((s) => s.kind === 2)!;
    expect(operation.parentSpanId).toBe('');
    expect(operation.statusCode).toBe(2);
    expect(operation.attributes['graphql.error.codes']).toEqual(['BAD_USER_INPUT']);
  } finally {
    await stack.close();
  }
});

test('no endpoint: no tracing; the OTEL_* settings are validated', () => {
  const base = { NHN_IDENTITY_URL: 'http://127.0.0.1:1', NHN_TENANT_ID: 't', NHN_USERNAME: 'u', NHN_API_PASSWORD: 'p' };
  expect(loadConfig(base).tracing).toBeUndefined();
  expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).tracing).toBeUndefined();
  expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toMatchObject({
    url: 'http://collector:4318/v1/traces',
    protocol: 'http/protobuf',
    sampler: 'parentbased_always_on',
    serviceName: 'nhn-compute-graphql-gateway',
  });
  expect(
    loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b,x=1', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' })
      .tracing,
  ).toMatchObject({ headers: { 'api-key': 'a b', x: '1' }, sampler: 'traceidratio', samplerRatio: 0.25 });
  expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).tracing).toMatchObject({
    compression: 'gzip',
    batch: { scheduleDelayMs: 50, exportTimeoutMs: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 },
  });
  expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' })).toThrow(/OTEL_EXPORTER_OTLP_COMPRESSION/);
  expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
  expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
});

test('issueToken: its Keystone call is a client span of the operation, and the password is nowhere', async () => {
  const stack = await startStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
  try {
    receiver.spans.length = 0;
    const body = await stack.gql('mutation Issue($i: IssueTokenInput!) { issueToken(input: $i) { id } }', {
      i: { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword },
    });
    const token: string = body.data.issueToken.id;
    await stack.observability.tracing!.flush();
    expect(await eventually(() => receiver.spans.some((s) => s.kind === 2))).toBe(true);
    const operation = receiver.spans.find((s) => s.kind === 2)!;
    const clients = receiver.spans.filter((s) => s.kind === 3 && s.traceId === operation.traceId);
    expect(clients.map((s) => [s.name, s.parentSpanId, s.attributes['nhn.service'], s.attributes['http.response.status_code']])).toEqual([
      ['POST /v2.0/tokens', operation.spanId, 'identity', 200],
    ]);
    const everything = JSON.stringify(receiver.spans);
    expect(everything).not.toContain(stack.sim.apiPassword);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(stack.sim.username);
  } finally {
    await stack.close();
  }
});
