// Property-based fuzzing of what the upstream answers. For each upstream call the gateway reads, the
// simulator (fault mode 'body') answers a mutated copy of the real body: members dropped, values of
// another type (string, number, null, object, array), huge strings, deep nesting; or a replacement:
// truncated JSON, an HTML page, an empty body, JSON of the wrong shape; with a 2xx or an error status.
// Two fixed examples per call add a 5 MB string (accepted) and a 10.5 MB body, over
// UPSTREAM_MAX_RESPONSE_BYTES (refused). The gateway must answer 200 and be well formed (well-formed.ts); where only a relation's
// call was broken, the rest of the data must still come back.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Stack, startStack } from '../helpers/gateway.js';
import { RunCounts, wellFormed } from './well-formed.js';

const RUNS_PER_CALL = Number(process.env.FUZZ_RUNS ?? 100);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

let stack: Stack;
const counts = new RunCounts();
let ids: { server: string; image: string; volume: string };
let token: string;

beforeAll(async () => {
  stack = await startStack({
    env: {
      // Every query reaches the upstream, and faults never open a breaker.
      CACHE_FLAVORS_TTL_MS: '0',
      CACHE_IMAGES_TTL_MS: '0',
      CACHE_KEYPAIRS_TTL_MS: '0',
      UPSTREAM_BREAKER_FAILURES: '1000',
      UPSTREAM_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES),
    },
  });
  const { data } = await stack.gql('{ servers { edges { node { id name image { id } volumeAttachments { volumeId } } } } }');
  const db = data.servers.edges.map((e: any) => e.node).find((n: any) => n.name === 'db-01');
  const withImage = data.servers.edges.map((e: any) => e.node).find((n: any) => n.image);
  ids = { server: db.id, image: withImage.image.id, volume: db.volumeAttachments.at(-1).volumeId };
  const issued = await stack.gql('mutation($i: IssueTokenInput!) { issueToken(input: $i) { id } }', {
    i: { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword },
  });
  token = issued.data.issueToken.id;
});
afterAll(async () => {
  counts.print(`upstream body fuzzing (FUZZ_SEED=${SEED})`);
  await stack.close();
});

// ---- the calls, the queries that make them, and what must survive ------------------------------------

const SERVER_FIELDS = `id name status taskState vmState powerState tenantId userId hostId keyName
  addresses { networkName address version type macAddress } securityGroups metadata { key value }
  availabilityZone created updated launchedAt terminatedAt fault { code message details created } progress`;
const IMAGE_FIELDS = 'id name status minDisk minRam osType osDistro osVersion visibility createdAt updatedAt';
const VOLUME_FIELDS = 'id name size status volumeType bootable availabilityZone';

interface Call {
  route: string;
  /** Where the simulator serves the real body (for the mutations to start from). */
  path: () => string;
  query: string;
  variables?: () => Record<string, unknown>;
  /** What must still come back when only this call is broken (partial data). */
  survives?: (data: any) => boolean;
}

const compute = (path: string) => `/compute/v2/${stack.sim.tenantId}${path}`;
const serverNames = (data: any) => data?.servers?.edges?.length > 0 && data.servers.edges.every((e: any) => typeof e.node.name === 'string');

const CALLS: Call[] = [
  {
    route: 'GET compute /servers/detail',
    path: () => compute('/servers/detail?limit=20'),
    query: `{ servers { edges { cursor node { ${SERVER_FIELDS} flavor { name } image { name } keypair { name } } } pageInfo { hasNextPage endCursor } } }`,
  },
  {
    route: 'GET compute /servers/{id}',
    path: () => compute(`/servers/${ids.server}`),
    query: `query($id: ID!) { server(id: $id) { ${SERVER_FIELDS} } }`,
    variables: () => ({ id: ids.server }),
  },
  {
    route: 'GET compute /flavors/detail',
    path: () => compute('/flavors/detail'),
    query: '{ flavors { id name vcpus ram disk swap ephemeral rxtxFactor isPublic disabled extraSpecs { key value } } }',
  },
  {
    route: 'GET compute /flavors/detail',
    path: () => compute('/flavors/detail'),
    query: '{ servers { edges { node { name flavor { id name vcpus ram } } } } }',
    survives: serverNames,
  },
  {
    route: 'GET image /v2/images',
    path: () => `/image/v2/images?limit=10`,
    query: `{ servers { edges { node { name image { ${IMAGE_FIELDS} } } } } }`,
    survives: serverNames,
  },
  {
    route: 'GET image /v2/images/{id}',
    path: () => `/image/v2/images/${ids.image}`,
    query: `query($id: ID!) { image(id: $id) { ${IMAGE_FIELDS} } }`,
    variables: () => ({ id: ids.image }),
  },
  {
    route: 'GET compute /os-keypairs',
    path: () => compute('/os-keypairs'),
    query: '{ servers { edges { node { name keyName keypair { name publicKey fingerprint userId createdAt } } } } }',
    survives: serverNames,
  },
  {
    route: 'GET compute /os-keypairs',
    path: () => compute('/os-keypairs'),
    query: '{ keypairs { name publicKey fingerprint userId createdAt } }',
  },
  {
    route: 'GET volume /volumes/{id}',
    path: () => `/volume/v2/${stack.sim.tenantId}/volumes/${ids.volume}`,
    query: `query($id: ID!) { server(id: $id) { name volumeAttachments { id device volumeId volume { ${VOLUME_FIELDS} } } } }`,
    variables: () => ({ id: ids.server }),
    survives: (data) => Array.isArray(data?.server?.volumeAttachments) && data.server.volumeAttachments.length > 0,
  },
  {
    route: 'GET compute /servers/{id}/os-volume_attachments',
    path: () => compute(`/servers/${ids.server}/os-volume_attachments`),
    query: `query($id: ID!) { server(id: $id) { name volumeAttachments { id device serverId volumeId } } }`,
    variables: () => ({ id: ids.server }),
  },
  {
    route: 'GET compute /os-availability-zone',
    path: () => compute('/os-availability-zone'),
    query: '{ availabilityZones { name available } }',
  },
  {
    route: 'GET network /v2.0/networks',
    path: () => '/network/v2.0/networks',
    query: '{ networks { id name status shared external subnetIds: subnets { id name cidr ipVersion gatewayIp enableDhcp networkId } } }',
  },
  {
    route: 'POST identity /v2.0/tokens',
    path: () => '',
    query: `mutation($i: IssueTokenInput!) { issueToken(input: $i) { id issuedAt expires tenant { id name description enabled }
      serviceCatalog { type name endpoints { region publicUrl } } } }`,
    variables: () => ({ i: { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword } }),
  },
];

async function realBody(call: Call): Promise<string> {
  if (call.route.startsWith('POST identity')) {
    const body = { auth: { tenantId: stack.sim.tenantId, passwordCredentials: { username: stack.sim.username, password: stack.sim.apiPassword } } };
    return (await fetch(`${stack.sim.identityUrl}/v2.0/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).text();
  }
  const response = await fetch(`${stack.sim.url}${call.path()}`, { headers: { 'x-auth-token': token } });
  expect(response.status, call.path()).toBe(200);
  return response.text();
}

// ---- bodies ------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HTML = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>';
const deepNesting = (depth: number): Json => {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { nested: value };
  return value;
};

/** A value of some other type than the one it replaces. */
const strangeValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Json>(null, '', 0, -1, true, false, {}, [], '2020-13-45T99:99:99', 'true', '1e999', 'UNKNOWN') },
  { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.constantFrom<Json>('x'.repeat(100_000), deepNesting(500), Array.from({ length: 2_000 }, (_, i) => i)) },
);

/** Every path to a value inside `value`. */
function pathsOf(value: Json, prefix: (string | number)[] = [], found: (string | number)[][] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      found.push(path);
      if (found.length < 5_000) pathsOf(child as Json, path, found);
    }
  }
  return found;
}

function valueAt(value: Json, path: (string | number)[]): Json {
  return path.reduce<any>((node, key) => node[key], value);
}

interface Mutation {
  at: number;
  action: 'drop' | 'replace';
  value: Json;
}

/** The body with each mutation applied at the path `at` picks (dropping a key, or another value). */
function mutate(body: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(body);
  for (const { at, action, value } of mutations) {
    const paths = pathsOf(copy);
    if (paths.length === 0) return structuredClone(value);
    const path = paths[at % paths.length]!;
    const parent = valueAt(copy, path.slice(0, -1)) as any;
    const key = path.at(-1)!;
    if (action === 'drop' && Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (action === 'drop') delete parent[key];
    // A copy: constants are shared between runs and must never be mutated themselves.
    else parent[key] = structuredClone(value);
  }
  return copy;
}

function bodies(realText: string): fc.Arbitrary<string> {
  const real = JSON.parse(realText) as Json;
  const mutation = fc.record({ at: fc.nat(), action: fc.constantFrom<'drop' | 'replace'>('drop', 'replace'), value: strangeValue });
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }).map((m) => JSON.stringify(mutate(real, m))) },
    { weight: 1, arbitrary: fc.nat({ max: realText.length - 1 }).map((n) => realText.slice(0, n)) },
    { weight: 1, arbitrary: fc.constantFrom(HTML, '', ' ', 'null', '[]', '{}', '"text"', '42', 'true', '{"error": {"message": "boom"}}') },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  );
}

const statuses = fc.oneof({ weight: 10, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(201, 203, 400, 404, 409, 500, 502, 503) });
const contentTypes = fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/html', 'text/plain', '') });

/** The real body with its first string value (not an id) grown to 5 MB (under the limit), and a body over the limit. */
function hugeExamples(realText: string): [string, number, string][] {
  const real = JSON.parse(realText) as Json;
  const paths = pathsOf(real);
  const at = paths.findIndex((path) => typeof valueAt(real, path) === 'string' && !/id$/i.test(String(path.at(-1))));
  const grown = `${String(valueAt(real, paths[at]!))}${'x'.repeat(5 * 1024 * 1024)}`;
  const huge = JSON.stringify(mutate(real, [{ at, action: 'replace', value: grown }]));
  const over = JSON.stringify({ padding: 'x'.repeat(10.5 * 1024 * 1024), real: JSON.parse(realText) });
  return [
    [huge, 200, 'application/json'],
    [over, 200, 'application/json'],
  ];
}

describe('malformed upstream bodies', () => {
  test.each(CALLS.map((call, index) => [`${call.route} (${index})`, call] as const))('%s', async (name, call) => {
    const realText = await realBody(call);
    await fc.assert(
      fc.asyncProperty(bodies(realText), statuses, contentTypes, async (body, status, contentType) => {
        stack.sim.controls.failNext(call.route, 1000, { mode: 'body', body, status, contentType: contentType || undefined });
        try {
          const response = await stack.post({ query: call.query, variables: call.variables?.() });
          const context = `${name}: HTTP ${status} ${contentType} ${body.slice(0, 300)}`;
          expect(response.status, context).toBe(200);
          const answer = await wellFormed(response, stack, context);
          counts.add(name, answer);
          if (call.survives) expect(call.survives(answer.data), `partial data lost: ${context}`).toBe(true);
        } finally {
          stack.sim.controls.failNext(call.route, 0);
        }
      }),
      { numRuns: RUNS_PER_CALL, seed: SEED, endOnFailure: true, examples: hugeExamples(realText) },
    );
  });
});

test('values nested 100,000 deep, which JSON.parse reads but printing them would overflow the stack', async () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const required = '"user_id": "u", "created": "2020-02-25T01:22:24Z", "updated": "2020-02-25T01:22:24Z"';
  const body = `{"server": {"id": "${ids.server}", "name": "deep", ${required}, "metadata": {"k": ${deep}, "ok": "v"}, "addresses": {"net": ${deep}}, "fault": ${deep}}}`;
  stack.sim.controls.failNext('GET compute /servers/{id}', 1, { mode: 'body', body });
  const response = await stack.post({ query: `query($id: ID!) { server(id: $id) { ${SERVER_FIELDS} } }`, variables: { id: ids.server } });
  const answer = await wellFormed(response, stack, 'a deeply nested server');
  expect(answer.data.server).toMatchObject({ name: 'deep', metadata: [{ key: 'ok', value: 'v' }], addresses: [], fault: null });
});
