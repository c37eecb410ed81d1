// Every mutation of the contract against the simulator: the happy path, the server as it stands after
// the call, and the state conflicts Nova answers with 409.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Stack, startStack, waitForStatus } from '../helpers/gateway.js';

let stack: Stack;
let ids: Record<string, string>;
const idOf = (name: string) => ids[name]!;
let choices: { flavors: { id: string; name: string }[]; networkId: string; linuxImageId: string };

const SERVER = 'id name status taskState vmState powerState securityGroups flavor { name } image { id }';

beforeAll(async () => {
  // Long enough that a mutation's own read sees the transitional state even on a loaded CI machine
  // (with the default 30 ms, the whole suite's load let BUILD or powering-off end before the read).
  stack = await startStack({ buildDelayMs: 250 });
  const body = await stack.gql(
    '{ servers(first: 50) { edges { node { id name image { id osType } } } } flavors { id name } networks { id external } }',
  );
  const nodes = body.data.servers.edges.map((e: any) => e.node);
  ids = Object.fromEntries(nodes.map((n: any) => [n.name, n.id]));
  choices = {
    flavors: body.data.flavors,
    networkId: body.data.networks.find((n: any) => !n.external).id,
    linuxImageId: nodes.find((n: any) => n.name === 'web-01').image.id,
  };
});
afterAll(() => stack.close());

const flavorId = (name: string) => choices.flavors.find((f) => f.name === name)!.id;

function createInput(overrides: Record<string, unknown> = {}) {
  return {
    name: 'created-01',
    imageId: choices.linuxImageId,
    flavorId: flavorId('m2.c2m4'),
    networks: [{ networkId: choices.networkId }],
    keyName: 'demo-key',
    availabilityZone: 'kr-pub-a',
    securityGroups: ['default', 'web'],
    userData: '#cloud-config\npackages: [nginx]\n',
    metadata: [{ key: 'team', value: 'platform' }],
    blockDevices: [
      { sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: choices.linuxImageId, bootIndex: 0, volumeSize: 20, deleteOnTermination: true },
    ],
    ...overrides,
  };
}

const CREATE = `mutation($input: CreateServerInput!) { createServer(input: $input) { reservationId server { ${SERVER} metadata { key value } keyName } } }`;

describe('createServer', () => {
  test('creates a server from an image onto a volume; it comes back in BUILD and turns ACTIVE', async () => {
    const body = await stack.gql(CREATE, { input: createInput() });
    expect(body.errors).toBeUndefined();
    const server = body.data.createServer.server;
    expect(server).toMatchObject({
      name: 'created-01',
      status: 'BUILD',
      keyName: 'demo-key',
      flavor: { name: 'm2.c2m4' },
      securityGroups: ['default', 'web'],
    });
    expect(server.metadata).toContainEqual({ key: 'team', value: 'platform' });
    expect(body.data.createServer.reservationId).toBeNull();
    await waitForStatus(stack, server.id, 'ACTIVE');
  });

  test('with returnReservationId it answers only the reservation, which finds the servers', async () => {
    const body = await stack.gql(CREATE, { input: createInput({ name: 'reserved', minCount: 2, maxCount: 2, returnReservationId: true }) });
    expect(body.errors).toBeUndefined();
    expect(body.data.createServer).toEqual({ server: null, reservationId: expect.stringMatching(/^r-/) });
    const found = await stack.gql('query($r: String) { servers(filter: { reservationId: $r }) { edges { node { name } } } }', {
      r: body.data.createServer.reservationId,
    });
    expect(found.data.servers.edges.map((e: any) => e.node.name).sort()).toEqual(['reserved-1', 'reserved-2']);
  });

  test('a u2 flavor boots from its image without block devices', async () => {
    const body = await stack.gql(CREATE, { input: createInput({ name: 'u2-box', flavorId: flavorId('u2.c1m1'), blockDevices: null }) });
    expect(body.errors).toBeUndefined();
    expect(body.data.createServer.server).toMatchObject({ name: 'u2-box', flavor: { name: 'u2.c1m1' }, image: { id: choices.linuxImageId } });
  });
});

describe('server actions return the server as it stands after the call', () => {
  test('stop, stop again (409), start', async () => {
    const id = idOf('web-01');
    const stopped = await stack.gql(`mutation($id: ID!) { stopServer(id: $id) { ${SERVER} } }`, { id });
    expect(stopped.errors).toBeUndefined();
    expect(stopped.data.stopServer).toMatchObject({ id, taskState: 'powering-off' });
    await waitForStatus(stack, id, 'SHUTOFF');

    const again = await stack.gql('mutation($id: ID!) { stopServer(id: $id) { id } }', { id });
    expect(again.data).toBeNull();
    expect(again.errors?.[0]).toMatchObject({
      path: ['stopServer'],
      message: expect.stringContaining("Cannot 'stop' instance"),
      extensions: { code: 'CONFLICT', upstream: { service: 'compute', status: 409 } },
    });

    const started = await stack.gql(`mutation($id: ID!) { startServer(id: $id) { ${SERVER} } }`, { id });
    expect(started.data.startServer).toMatchObject({ id, taskState: 'powering-on' });
    await waitForStatus(stack, id, 'ACTIVE');
  });

  test('start on an ACTIVE server is a CONFLICT', async () => {
    const body = await stack.gql('mutation($id: ID!) { startServer(id: $id) { id } }', { id: idOf('win-01') });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
  });

  test('reboot SOFT (default) and HARD', async () => {
    const soft = await stack.gql('mutation($id: ID!) { rebootServer(id: $id) { status taskState } }', { id: idOf('win-01') });
    expect(soft.data.rebootServer).toEqual({ status: 'REBOOT', taskState: 'rebooting' });
    await waitForStatus(stack, idOf('win-01'), 'ACTIVE');
    // From SHUTOFF, Nova keeps the status while the task runs (its state map has no HARD_REBOOT there).
    const hard = await stack.gql('mutation($id: ID!) { rebootServer(id: $id, type: HARD) { taskState } }', { id: idOf('batch-01') });
    expect(hard.data.rebootServer).toEqual({ taskState: 'rebooting_hard' });
    await waitForStatus(stack, idOf('batch-01'), 'ACTIVE');
  });

  test('resize to another flavor', async () => {
    const id = idOf('db-01');
    const body = await stack.gql('mutation($id: ID!, $f: ID!) { resizeServer(id: $id, flavorId: $f, diskConfig: MANUAL) { id status } }', {
      id,
      f: flavorId('r2.c4m32'),
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.resizeServer).toEqual({ id, status: 'RESIZE' });
    await waitForStatus(stack, id!, 'ACTIVE');
    const after = await stack.gql('query($id: ID!) { server(id: $id) { flavor { name } } }', { id });
    expect(after.data.server.flavor.name).toBe('r2.c4m32');
  });

  test('rename', async () => {
    const body = await stack.gql('mutation($id: ID!) { updateServer(id: $id, name: "batch-02") { id name } }', { id: idOf('batch-01') });
    expect(body.data.updateServer).toEqual({ id: idOf('batch-01'), name: 'batch-02' });
  });

  test('add and remove a security group; removing one it lacks is NOT_FOUND', async () => {
    const id = idOf('win-01');
    const added = await stack.gql('mutation($id: ID!) { addSecurityGroup(serverId: $id, name: "web") { securityGroups } }', { id });
    expect(added.data.addSecurityGroup.securityGroups).toEqual(['default', 'web']);
    const removed = await stack.gql('mutation($id: ID!) { removeSecurityGroup(serverId: $id, name: "web") { securityGroups } }', { id });
    expect(removed.data.removeSecurityGroup.securityGroups).toEqual(['default']);
    const missing = await stack.gql('mutation($id: ID!) { removeSecurityGroup(serverId: $id, name: "web") { id } }', { id });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  test('snapshot a u2 server: the image id comes from Location, the image is readable', async () => {
    const body = await stack.gql(
      'mutation($id: ID!) { createServerImage(id: $id, name: "dev-u2-snap", metadata: [{ key: "purpose", value: "test" }]) { imageId image { id name status } } }',
      { id: idOf('dev-u2') },
    );
    expect(body.errors).toBeUndefined();
    const { imageId, image } = body.data.createServerImage;
    expect(imageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(image).toMatchObject({ id: imageId, name: 'dev-u2-snap' });
  });

  test('snapshot of a volume-backed server is refused by NHN', async () => {
    const body = await stack.gql('mutation($id: ID!) { createServerImage(id: $id, name: "nope") { imageId } }', { id: idOf('win-01') });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { status: 400 } });
  });

  test('delete returns the id; the server then reads as deleted or gone', async () => {
    const id = idOf('build-failed');
    const body = await stack.gql('mutation($id: ID!) { deleteServer(id: $id) }', { id });
    expect(body).toEqual({ data: { deleteServer: id } });
    const after = await stack.gql('query($id: ID!) { server(id: $id) { status } }', { id });
    expect([null, 'DELETED']).toContain(after.data.server?.status ?? null);
  });
});

describe('volumes', () => {
  test('detach a data volume and attach it to another server in its zone', async () => {
    const list = await stack.gql('query($id: ID!) { server(id: $id) { volumeAttachments { device volumeId } } }', { id: idOf('db-01') });
    const volumeId = list.data.server.volumeAttachments.find((a: any) => a.device === '/dev/vdb').volumeId;
    const detached = await stack.gql('mutation($s: ID!, $v: ID!) { detachVolume(serverId: $s, volumeId: $v) }', { s: idOf('db-01'), v: volumeId });
    expect(detached).toEqual({ data: { detachVolume: volumeId } });

    const until = Date.now() + 5_000;
    let attached: any;
    do {
      await new Promise((resolve) => setTimeout(resolve, 30));
      attached = await stack.gql('mutation($s: ID!, $v: ID!) { attachVolume(serverId: $s, volumeId: $v) { id device serverId volumeId volume { name } } }', {
        s: idOf('web-01'),
        v: volumeId,
      });
    } while (attached.errors && Date.now() < until);
    expect(attached.errors).toBeUndefined();
    expect(attached.data.attachVolume).toMatchObject({ serverId: idOf('web-01'), volumeId, device: expect.stringMatching(/^\/dev\/vd/) });
  });

  test('detaching the root volume is refused', async () => {
    const list = await stack.gql('query($id: ID!) { server(id: $id) { volumeAttachments { device volumeId } } }', { id: idOf('win-01') });
    const root = list.data.server.volumeAttachments.find((a: any) => a.device === '/dev/vda');
    const body = await stack.gql('mutation($s: ID!, $v: ID!) { detachVolume(serverId: $s, volumeId: $v) }', { s: idOf('win-01'), v: root.volumeId });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('keypairs', () => {
  test('generate: the private key is shown once', async () => {
    const body = await stack.gql('mutation { createKeypair(input: { name: "generated-key" }) { keypair { name publicKey fingerprint } privateKey } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.createKeypair.keypair.name).toBe('generated-key');
    expect(body.data.createKeypair.privateKey).toMatch(/PRIVATE KEY/);
  });

  test('import: no private key; a duplicate name is a CONFLICT; delete returns the name', async () => {
    const keys = await stack.gql('query { keypair(name: "demo-key") { publicKey } }');
    const publicKey = keys.data.keypair.publicKey;
    const imported = await stack.gql('mutation($k: String) { createKeypair(input: { name: "imported-key", publicKey: $k }) { keypair { name publicKey } privateKey } }', { k: publicKey });
    expect(imported.data.createKeypair).toEqual({ keypair: { name: 'imported-key', publicKey }, privateKey: null });
    const duplicate = await stack.gql('mutation($k: String) { createKeypair(input: { name: "imported-key", publicKey: $k }) { privateKey } }', { k: publicKey });
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { status: 409 } });
    const deleted = await stack.gql('mutation { deleteKeypair(name: "imported-key") }');
    expect(deleted).toEqual({ data: { deleteKeypair: 'imported-key' } });
    const gone = await stack.gql('{ keypair(name: "imported-key") { name } keypairs { name } }');
    expect(gone.data.keypair).toBeNull();
    expect(gone.data.keypairs.map((k: any) => k.name)).not.toContain('imported-key');
  });
});

describe('issueToken', () => {
  const ISSUE = 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { id issuedAt expires tenant { id name description enabled } serviceCatalog { type name endpoints { region publicUrl } } } }';

  test('answers the token and its catalog', async () => {
    const body = await stack.gql(ISSUE, { i: { tenantId: stack.sim.tenantId, username: stack.sim.username, password: stack.sim.apiPassword } });
    expect(body.errors).toBeUndefined();
    const token = body.data.issueToken;
    expect(token.id).toMatch(/\S{16,}/);
    expect(token.expires).toMatch(/Z$/);
    expect(token.tenant).toMatchObject({ id: stack.sim.tenantId, enabled: true });
    expect(token.serviceCatalog.map((e: any) => e.type)).toEqual(expect.arrayContaining(['compute', 'image', 'volumev2', 'network']));
    expect(JSON.stringify(body)).not.toContain(stack.sim.apiPassword);

    // The token works as a pass-through caller.
    const asCaller = await stack.gql('{ keypairs { name } }', undefined, { 'X-Auth-Token': token.id, 'X-Tenant-Id': token.tenant.id });
    expect(asCaller.errors).toBeUndefined();
  });

  test('wrong credentials are UNAUTHENTICATED, and the password is nowhere in the answer', async () => {
    const password = 'not-the-password-123';
    const body = await stack.gql(ISSUE, { i: { tenantId: stack.sim.tenantId, username: stack.sim.username, password } });
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', upstream: { service: 'identity', status: 401 } });
    expect(JSON.stringify(body)).not.toContain(password);
  });
});

test('quota: asking for more servers than the project has room for is QUOTA_EXCEEDED', async () => {
  const body = await stack.gql(CREATE, { input: createInput({ name: 'too-many', minCount: 10, maxCount: 10 }) });
  expect(body.errors?.[0]).toMatchObject({
    message: expect.stringContaining('Quota exceeded for instances'),
    extensions: { code: 'QUOTA_EXCEEDED', upstream: { service: 'compute', status: 403 } },
  });
});
