// Failures: input rejected before any upstream call, upstream errors with their codes, token
// re-issue, and callers without credentials. No error may show an upstream URL, host, token or
// password. Upstream faults (retries, timeouts, the deadline, the breaker, partial data) are in
// resilience.test.ts.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type GraphQLBody, leaksIn, type Stack, startStack, TOKEN_ROUTE, withStack } from '../helpers/gateway.js';

let stack: Stack;
let ids: Record<string, string>;
let demo: { flavorId: string; networkId: string; linuxImageId: string; windowsImageId: string };
const seenErrors: GraphQLBody['errors'][] = [];

async function gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>, target = stack) {
  const body = await target.gql(query, variables, headers);
  seenErrors.push(body.errors);
  return body;
}

beforeAll(async () => {
  stack = await startStack();
  const body = await stack.gql('{ servers { edges { node { id name image { id osType } } } } flavors { id name } networks { id external } }');
  const nodes = body.data.servers.edges.map((e: any) => e.node);
  ids = Object.fromEntries(nodes.map((n: any) => [n.name, n.id]));
  demo = {
    flavorId: body.data.flavors.find((f: any) => f.name === 'm2.c4m8').id,
    networkId: body.data.networks.find((n: any) => !n.external).id,
    linuxImageId: nodes.find((n: any) => n.name === 'web-01').image.id,
    windowsImageId: nodes.find((n: any) => n.image?.osType === 'windows').image.id,
  };
});
afterAll(() => stack.close());
beforeEach(() => stack.sim.controls.resetLog());

const CREATE = 'mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } } }';
const validCreate = (overrides: Record<string, unknown> = {}) => ({
  name: 'valid-name',
  imageId: demo.linuxImageId,
  flavorId: demo.flavorId,
  networks: [{ networkId: demo.networkId }],
  keyName: 'demo-key',
  blockDevices: [{ sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: demo.linuxImageId, bootIndex: 0, volumeSize: 50 }],
  ...overrides,
});

describe('input validation, before any upstream call', () => {
  const createCases: [string, Record<string, unknown>, string][] = [
    ['a name of 256 characters', { name: 'x'.repeat(256) }, 'input.name'],
    ['a name with a control character', { name: 'bad\u0007name' }, 'input.name'],
    ['a name with leading whitespace', { name: ' padded' }, 'input.name'],
    ['a metadata key with a slash', { metadata: [{ key: 'a/b', value: 'x' }] }, 'input.metadata.0.key'],
    ['a metadata value of 256 characters', { metadata: [{ key: 'k', value: 'v'.repeat(256) }] }, 'input.metadata.0.value'],
    ['repeated metadata keys', { metadata: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] }, 'input.metadata'],
    ['user data over 65535 bytes once encoded', { userData: 'x'.repeat(49150) }, 'input.userData'],
    ['maxCount 11', { maxCount: 11 }, 'input.maxCount'],
    ['minCount 0', { minCount: 0 }, 'input.minCount'],
    ['minCount above maxCount', { minCount: 3, maxCount: 2 }, 'input.minCount'],
    ['an image id that is no UUID', { imageId: 'ubuntu' }, 'input.imageId'],
    ['no image and no boot device', { imageId: null, blockDevices: null }, 'input.imageId'],
    ['no networks', { networks: [] }, 'input.networks'],
    ['a NIC naming a network and a port', { networks: [{ networkId: '3f0a9d2e-5b7c-4e61-9a8d-2c4b6e8f0a1b', portId: '8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11' }] }, 'input.networks.0'],
    ['a fixed IP that is no IP', { networks: [{ networkId: '3f0a9d2e-5b7c-4e61-9a8d-2c4b6e8f0a1b', fixedIp: '10.0.0.300' }] }, 'input.networks.0.fixedIp'],
    ['a network id that is no UUID', { networks: [{ networkId: 'vpc-1' }] }, 'input.networks.0.networkId'],
    ['a keypair name with a dot', { keyName: 'my.key' }, 'input.keyName'],
    ['a block device without uuid', { blockDevices: [{ sourceType: 'IMAGE', destinationType: 'VOLUME', bootIndex: 0 }] }, 'input.blockDevices.0.uuid'],
    ['two servers from one volume', { maxCount: 2, blockDevices: [{ sourceType: 'VOLUME', destinationType: 'VOLUME', uuid: 'v', bootIndex: 0 }] }, 'input.maxCount'],
  ];

  test.each(createCases)('createServer with %s names %s', async (_, overrides, field) => {
    const body = await gql(CREATE, { input: validCreate(overrides) });
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ message: expect.stringContaining(`${field}: `), extensions: { code: 'BAD_USER_INPUT', field } });
    expect(stack.calls()).toEqual({});
  });

  test('a Windows image limits the name to 15 characters (the image is read, nothing is created)', async () => {
    const body = await gql(CREATE, {
      input: validCreate({
        name: 'windows-name-16c',
        imageId: demo.windowsImageId,
        blockDevices: [{ sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: demo.windowsImageId, bootIndex: 0, volumeSize: 50 }],
      }),
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(Object.keys(stack.calls()).filter((route) => !route.startsWith('GET image'))).toEqual([]);
  });

  test.each([
    ['server(id) with a non-UUID', '{ server(id: "web-01") { id } }', 'id'],
    ['stopServer with a non-UUID', 'mutation { stopServer(id: "42") { id } }', 'id'],
    ['servers(first: 0)', '{ servers(first: 0) { edges { cursor } } }', 'first'],
    ['servers(first: 1001)', '{ servers(first: 1001) { edges { cursor } } }', 'first'],
    ['a forged cursor', '{ servers(after: "c2VydmVyOi4uLw") { edges { cursor } } }', 'after'],
    ['flavors(minRam: -1)', '{ flavors(minRam: -1) { id } }', 'minRam'],
    ['a keypair name with a slash', 'mutation { createKeypair(input: { name: "a/b" }) { privateKey } }', 'input.name'],
    ['an attach device that is no device path', 'mutation { attachVolume(serverId: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11", volumeId: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11", device: "sdb") { id } }', 'device'],
    ['a blank security group name', 'mutation { addSecurityGroup(serverId: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11", name: "") { id } }', 'name'],
    ['an image name of 256 characters', `mutation { createServerImage(id: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11", name: "${'n'.repeat(256)}") { imageId } }`, 'name'],
  ])('%s names %s', async (_, query, field) => {
    const body = await gql(query);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(stack.calls()).toEqual({});
  });

  test('an invalid changesSince is BAD_USER_INPUT', async () => {
    const body = await gql('query($f: ServerFilter) { servers(filter: $f) { edges { cursor } } }', { f: { changesSince: 'yesterday' } });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.calls()).toEqual({});
  });

  test('an unknown reboot type never reaches the upstream', async () => {
    const body = await gql('mutation { rebootServer(id: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11", type: SIDEWAYS) { id } }');
    expect(body.errors?.[0]?.message).toMatch(/SIDEWAYS/);
    expect(stack.calls()).toEqual({});
  });

  test('volumeAttachments(limit: -1) is refused before the attachment call', async () => {
    const body = await gql('query($id: ID!) { server(id: $id) { volumeAttachments(limit: -1) { id } } }', { id: ids['db-01'] });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(stack.calls()).toEqual({ 'GET compute /servers/{id}': 1 });
  });
});

describe('upstream errors', () => {
  test('an action on a server that does not exist is NOT_FOUND with the upstream facts', async () => {
    const body = await gql('mutation { stopServer(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(body.errors?.[0]).toMatchObject({
      path: ['stopServer'],
      extensions: { code: 'NOT_FOUND', upstream: { service: 'compute', status: 404, requestId: expect.any(String) } },
    });
  });

  test('revoked tokens: the gateway re-issues once and the query succeeds', async () => {
    await gql('{ keypairs { name } }');
    stack.sim.controls.revokeTokens();
    stack.sim.controls.resetLog();
    const body = await gql('{ availabilityZones { name } }');
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(stack.sim.controls.counters()[TOKEN_ROUTE]).toBe(1);
  });
});

describe('who is calling', () => {
  test('X-Auth-Token without X-Tenant-Id is refused before anything runs', async () => {
    const response = await stack.post({ query: '{ keypairs { name } }' }, { 'X-Auth-Token': 'abc' });
    expect(response.status).toBe(401);
    const body = (await response.json()) as GraphQLBody;
    seenErrors.push(body.errors);
    expect(body.errors?.[0]).toMatchObject({ message: expect.stringContaining('together'), extensions: { code: 'UNAUTHENTICATED' } });
    expect(stack.calls()).toEqual({});
  });

  test('a pass-through token the upstream rejects is UNAUTHENTICATED and never re-issued', async () => {
    const token = 'f'.repeat(32);
    const body = await gql('{ keypairs { name } }', undefined, { 'X-Auth-Token': token, 'X-Tenant-Id': stack.sim.tenantId });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: { status: 401 } });
    expect(JSON.stringify(body)).not.toContain(token);
    expect(stack.sim.controls.counters()[TOKEN_ROUTE]).toBeUndefined();
  });

  test('without a service account: no headers is UNAUTHENTICATED, issueToken then pass-through works', () =>
    withStack(
      {
        env: (sim) => ({
          NHN_TENANT_ID: '',
          NHN_USERNAME: '',
          NHN_API_PASSWORD: '',
          NHN_COMPUTE_URL: `${sim.url}/compute`,
          NHN_IMAGE_URL: `${sim.url}/image`,
          NHN_VOLUME_URL: `${sim.url}/volume`,
          NHN_NETWORK_URL: `${sim.url}/network`,
        }),
      },
      async (passThrough) => {
        const anonymous = await gql('{ keypairs { name } }', undefined, undefined, passThrough);
        expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        const issued = await passThrough.gql('mutation($i: IssueTokenInput!) { issueToken(input: $i) { id tenant { id } } }', {
          i: { tenantId: passThrough.sim.tenantId, username: passThrough.sim.username, password: passThrough.sim.apiPassword },
        });
        const { id, tenant } = issued.data.issueToken;
        const asCaller = await gql('{ keypairs { name } }', undefined, { 'X-Auth-Token': id, 'X-Tenant-Id': tenant.id }, passThrough);
        expect(asCaller.errors).toBeUndefined();
        expect(asCaller.data.keypairs.length).toBeGreaterThan(0);
      },
    ));
});

test('no error above shows an upstream URL, host, port, token or password', () => {
  expect(seenErrors.filter(Boolean).length).toBeGreaterThan(30);
  expect(leaksIn(seenErrors, stack)).toEqual([]);
});
