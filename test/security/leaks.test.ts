// Secrets never leave through a side door. The gateway runs as `npm start` does (on the embedded
// simulator, LOG_LEVEL=debug, metrics on, traces sent to a receiver in this test) and everything it
// writes, exports and exposes is captured while it issues tokens, generates keypairs, serves
// pass-through callers and fails in many ways. Then: no API password, token or private key in its
// logs, its /metrics or its spans, and none in any GraphQL answer except the one whose purpose is to
// hand it over (issueToken its token, createKeypair its private key, once). Besides the known values,
// every token-shaped string in the output, the metrics and the spans is tried against the simulator:
// none may work as a token.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { eventually, type GatewayProcess, startGatewayProcess } from '../helpers/gateway.js';
import { type Receiver, startReceiver } from '../observability/otlp-receiver.js';

const ACCOUNT = { tenantId: '3f0c2a9be1d84c52a6e7f1b9d0c4e8a2', username: 'leak-test@example.com', password: 'Leak-Test-API-Password-7d31' };
const WRONG_PASSWORD = 'Wrong-API-Password-95c2';

let gateway: GatewayProcess;
let receiver: Receiver;
/** Every GraphQL answer, with the secrets it may legitimately carry. */
const answers: { text: string; allowed: string[] }[] = [];
const secrets = new Set<string>([ACCOUNT.password, WRONG_PASSWORD]);

beforeAll(async () => {
  receiver = await startReceiver();
  gateway = await startGatewayProcess({
    LOG_LEVEL: 'debug',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    SIMULATOR_TENANT_ID: ACCOUNT.tenantId,
    SIMULATOR_USERNAME: ACCOUNT.username,
    SIMULATOR_API_PASSWORD: ACCOUNT.password,
    SIMULATOR_BUILD_DELAY_MS: '50',
  });
});
afterAll(async () => {
  if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
  await receiver.close();
});

async function gql(query: string, variables?: unknown, headers: Record<string, string> = {}): Promise<{ text: string; body: any }> {
  const response = await fetch(`${gateway.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  answers.push({ text, allowed: [] });
  return { text, body: JSON.parse(text) };
}

/** Marks the last answer as the one place where `secret` belongs, and remembers the secret. */
function handedOver(secret: string): void {
  secrets.add(secret);
  answers.at(-1)!.allowed.push(secret);
}

const simulator = (name: string, args: unknown) =>
  fetch(`${gateway.simulatorUrl}/__simulator/${name}`, { method: 'POST', body: JSON.stringify(args) });

const ISSUE = 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { id expires } }';
const CREATE_KEYPAIR = 'mutation($n: String!) { createKeypair(input: { name: $n }) { privateKey keypair { name fingerprint } } }';
const READS = [
  '{ keypairs { name publicKey fingerprint } }',
  '{ servers { edges { node { id name keyName keypair { name fingerprint } flavor { name } image { name } } } } }',
  '{ flavors { id name } availabilityZones { name } networks { id subnets { id } } }',
];

async function issue(password: string): Promise<{ text: string; body: any }> {
  return gql(ISSUE, { i: { tenantId: ACCOUNT.tenantId, username: ACCOUNT.username, password } });
}

test('a run that issues tokens, generates keys and fails in many ways shows no secret anywhere', async () => {
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { body } = await issue(ACCOUNT.password);
    tokens.push(body.data.issueToken.id);
    handedOver(body.data.issueToken.id);
  }
  const [token] = tokens as [string];
  const asCaller = { 'X-Auth-Token': token, 'X-Tenant-Id': ACCOUNT.tenantId };

  expect((await issue(WRONG_PASSWORD)).body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  // Wrong variables: graphql-js would quote their values, the password among them.
  const malformed = await gql(ISSUE, { i: { tenantId: ACCOUNT.tenantId, username: ACCOUNT.username, password: ACCOUNT.password, extra: 1 } });
  expect(malformed.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

  for (const [name, headers] of [['leak-service', {}], ['leak-caller', asCaller]] as const) {
    const { body } = await gql(CREATE_KEYPAIR, { n: name }, headers);
    const privateKey: string = body.data.createKeypair.privateKey;
    expect(privateKey).toMatch(/BEGIN (RSA |OPENSSH )?PRIVATE KEY/);
    handedOver(privateKey);
    // Its base64 lines, each long enough to identify it.
    for (const line of privateKey.split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l))) handedOver(line);
    // A duplicate: Nova's error must not echo the key either.
    expect((await gql(CREATE_KEYPAIR, { n: name }, headers)).body.errors[0].extensions.code).toBe('CONFLICT');
  }

  for (const headers of [{}, asCaller]) {
    for (const query of READS) expect((await gql(query, undefined, headers)).body.errors).toBeUndefined();
    expect((await gql('query($n: String!) { keypair(name: $n) { name publicKey } }', { n: 'leak-service' }, headers)).body.errors).toBeUndefined();
  }

  // Failures: forged and malformed tokens, upstream errors in every format, revoked tokens.
  const failing: [string, Record<string, string>][] = [
    [READS[0]!, { 'X-Auth-Token': 'f'.repeat(32), 'X-Tenant-Id': ACCOUNT.tenantId }],
    [READS[0]!, { 'X-Auth-Token': token }],
    [READS[0]!, { 'X-Auth-Token': `${token} ${token}`, 'X-Tenant-Id': ACCOUNT.tenantId }],
    [READS[0]!, { 'X-Auth-Token': token, 'X-Tenant-Id': '../other' }],
  ];
  for (const [query, headers] of failing) expect((await gql(query, undefined, headers)).body.errors, JSON.stringify(headers)).toBeDefined();
  for (const [route, fault] of [
    ['GET compute /os-keypairs', { status: 500 }],
    ['GET compute /servers/detail', { status: 502, mode: 'html' }],
    ['GET compute /flavors/detail', { mode: 'invalid-json' }],
    ['GET image /v2/images', { status: 400 }],
  ] as const) {
    await simulator('fail-next', { route, count: 3, fault });
    await gql(READS[0]!, undefined, asCaller);
    await gql(READS[1]!, undefined, asCaller);
    await gql(READS[2]!);
  }
  await simulator('revoke-tokens', {});
  const uncached = '{ availabilityZones { name } }';
  expect((await gql(uncached, undefined, asCaller)).body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect((await gql(uncached)).body.errors).toBeUndefined(); // the service account signs in again

  const metrics = await (await fetch(gateway.metricsUrl!)).text();
  // Every request's spans exported (the batch processor sends every 50 ms): the operation spans
  // number the answers.
  const operationSpans = () => receiver.spans.filter((span) => span.kind === 2).length;
  expect(await eventually(() => operationSpans() >= answers.length)).toBe(true);

  // Token-shaped strings in the output, the metrics and the spans (32 hex digits): none may be a live
  // token, the service account's current one included. (Trace ids have the same shape: a probe with
  // one must fail like any other.)
  const exposed = [gateway.output(), metrics, JSON.stringify(receiver.spans)].join('\n');
  const candidates = [...new Set(exposed.match(/\b[0-9a-f]{32}\b/g) ?? [])];
  for (const candidate of candidates) {
    const probe = await fetch(`${gateway.simulatorUrl}/compute/v2/${ACCOUNT.tenantId}/os-availability-zone`, { headers: { 'x-auth-token': candidate } });
    expect(probe.status, `a live token in the output: ${candidate}`).toBe(401);
  }

  expect(await gateway.stop()).toBe(0);
  const output = gateway.output();
  // Not vacuous: the debug log of every request and the upstream failures were captured.
  expect(output.match(/"msg":"request"/g)?.length).toBeGreaterThanOrEqual(answers.length);
  expect(output).toMatch(/"msg":"upstream error"/);
  for (const secret of secrets) expect(output.includes(secret), `a secret in the output: ${secret.slice(0, 12)}…`).toBe(false);
  // Not vacuous either: the metrics counted the token issues and the failures, the spans include
  // every upstream call's client span.
  expect(metrics).toMatch(/nhn_gateway_tokens_total\{kind="issue",outcome="success"\} 2/);
  expect(metrics).toMatch(/nhn_gateway_upstream_request_duration_seconds_count\{service="compute",operation="[^"]*",method="GET",status_code="502"/);
  const spans = JSON.stringify(receiver.spans);
  expect(receiver.spans.filter((span) => span.kind === 3).length).toBeGreaterThan(answers.length);
  for (const secret of secrets) {
    expect(metrics.includes(secret), `a secret in the metrics: ${secret.slice(0, 12)}…`).toBe(false);
    expect(spans.includes(secret), `a secret in a span: ${secret.slice(0, 12)}…`).toBe(false);
  }
  expect(metrics).not.toContain(ACCOUNT.tenantId);
  expect(metrics).not.toContain(ACCOUNT.username);
  expect(spans).not.toContain(ACCOUNT.username);
  for (const [index, answer] of answers.entries()) {
    for (const secret of secrets) {
      if (answer.allowed.includes(secret)) continue;
      expect(answer.text.includes(secret), `answer ${index} shows a secret: ${answer.text.slice(0, 200)}`).toBe(false);
    }
  }
});
