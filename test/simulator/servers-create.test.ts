// POST /servers, PUT and DELETE /servers/{id}: the answers against their samples, the build
// (BUILD -> ACTIVE), and one test per validation rule (api-facts.md sections 1 and 3).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness, type Answer } from './harness.js';
import { serverAllowances, shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

async function create(server: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<Answer> {
  return h.compute('POST', '/servers', await h.createBody(server, extra));
}

function expectBadRequest(answer: Answer, message: string | RegExp): void {
  expect(answer.status).toBe(400);
  expect(Object.keys(answer.body)).toEqual(['badRequest']);
  expect(answer.body.badRequest.code).toBe(400);
  if (typeof message === 'string') expect(answer.body.badRequest.message).toBe(message);
  else expect(answer.body.badRequest.message).toMatch(message);
}

/** A root block device from `image` (default Ubuntu 22.04). */
async function rootDevice(fields: Record<string, unknown> = {}, imagePrefix = 'Ubuntu Server 22.04') {
  return { source_type: 'image', uuid: await h.imageId(imagePrefix), boot_index: 0, volume_size: 20, destination_type: 'volume', ...fields };
}

describe('POST /servers', () => {
  it("answers 202 with NHN's body; the server is BUILD, then ACTIVE after the build delay", async () => {
    const answer = await create();
    expect(answer.status).toBe(202);
    expect(shapeDifferences(answer.body, sample('compute-server-create-resp.json'))).toEqual([]);
    const { id } = answer.body.server;
    const building = await h.server(id);
    expect(building).toMatchObject({ status: 'BUILD', 'OS-EXT-STS:vm_state': 'building', 'OS-EXT-STS:power_state': 0 });
    // `scheduling` while a build request (the first quarter of the build delay), then `spawning`.
    expect(['scheduling', 'spawning']).toContain(building['OS-EXT-STS:task_state']);
    expect(building['OS-SRV-USG:launched_at']).toBeNull();
    const active = await h.waitForStatus(id, 'ACTIVE');
    expect(active).toMatchObject({ 'OS-EXT-STS:vm_state': 'active', 'OS-EXT-STS:power_state': 1, name: 'app-01', key_name: 'demo-key' });
    expect(active['OS-SRV-USG:launched_at']).toMatch(/\.\d{6}$/);
    expect(shapeDifferences({ server: active }, sample('compute-server-get-resp.json'), serverAllowances('server'))).toEqual([]);
  });

  it("gives the server NHN's image facts in metadata, an address in the VPC and a root volume", async () => {
    const { id } = (await create({ metadata: { team: 'web' } })).body.server;
    const server = await h.server(id);
    expect(server.metadata).toMatchObject({ team: 'web', os_type: 'linux', os_distro: 'Ubuntu', volume_size: '20', login_username: 'ubuntu' });
    expect(server.addresses['Default Network'][0]).toMatchObject({ version: 4, 'OS-EXT-IPS:type': 'fixed', addr: expect.stringMatching(/^192\.168\.0\.\d+$/) });
    expect(server.security_groups).toEqual([{ name: 'default' }]);
    const [root] = server['os-extended-volumes:volumes_attached'];
    const volume = (await h.volume(`/volumes/${root.id}`)).body.volume;
    expect(volume).toMatchObject({ bootable: 'true', size: 20, status: 'in-use' });
    expect(volume.attachments[0]).toMatchObject({ server_id: id, device: '/dev/vda' });
  });

  it('boots a u2 server from local disk without block_device_mapping_v2', async () => {
    const answer = await create({ flavorRef: await h.flavorId('u2.c1m1'), block_device_mapping_v2: undefined });
    expect(answer.status).toBe(202);
    expect((await h.server(answer.body.server.id))['os-extended-volumes:volumes_attached']).toEqual([]);
  });

  it('accepts the networks[].uuid form and several security groups (duplicates collapsed)', async () => {
    const network = (await h.network('/v2.0/networks?name=Default%20Network')).body.networks[0].id;
    const answer = await create({ networks: [{ uuid: network }], security_groups: [{ name: 'web' }, { name: 'default' }, { name: 'web' }] });
    expect(answer.status).toBe(202);
    expect(answer.body.server.security_groups).toEqual([{ name: 'web' }, { name: 'default' }]);
  });

  it('with return_reservation_id answers only {reservation_id}', async () => {
    const answer = await create({ return_reservation_id: 'True' });
    expect(answer.status).toBe(202);
    expect(shapeDifferences(answer.body, sample('server-create-multiple-reservation-resp.json'))).toEqual([]);
    expect(answer.body.reservation_id).toMatch(/^r-[a-z0-9]{8}$/);
  });

  it('makes min_count..max_count servers named <name>-1, <name>-2...', async () => {
    const answer = await create({ min_count: '2', max_count: 3 });
    expect(answer.status).toBe(202);
    const names = (await h.compute('GET', '/servers?name=^app-01')).body.servers.map((s: any) => s.name);
    expect(names).toEqual(['app-01-3', 'app-01-2', 'app-01-1']);
  });

  it('lowers max_count to what the quota allows, and refuses with 403 forbidden below min_count', async () => {
    // 6 seeded servers of a quota of 10.
    const lowered = await create({ max_count: 10 });
    expect(lowered.status).toBe(202);
    expect((await h.compute('GET', '/servers')).body.servers).toHaveLength(10);
    const refused = await create();
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances' } });
    expect(shapeDifferences(refused.body, sample('error-forbidden-quota-resp.json'))).toEqual([]);
  });
});

describe('POST /servers validation', () => {
  it('refuses a body that is not JSON', async () => {
    expectBadRequest(await h.compute('POST', '/servers', '{"server": '), 'Malformed request body');
  });

  it('requires server, name and flavorRef, and NHN also networks and key_name', async () => {
    expectBadRequest(await h.compute('POST', '/servers', { servers: {} }), "'server' is a required property");
    for (const key of ['name', 'flavorRef', 'networks', 'key_name']) {
      expectBadRequest(await create({ [key]: undefined }), new RegExp(`^Invalid input for field/attribute server\\. Value: \\{.*\\}\\. '${key}' is a required property$`));
    }
  });

  it('applies the name rule: 1-255 printable characters, not only spaces', async () => {
    expectBadRequest(await create({ name: '' }), "Invalid input for field/attribute name. Value: . '' is too short");
    expectBadRequest(await create({ name: 'x'.repeat(256) }), /^Invalid input for field\/attribute name\. Value: x{256}\. 'x{256}' is too long$/);
    const blank = "An invalid 'name' value was provided. The name must be: printable characters with at least one non space character";
    expectBadRequest(await create({ name: '   ' }), blank);
    expectBadRequest(await create({ name: 'tab\there' }), blank);
    expectBadRequest(await create({ name: 42 }), "Invalid input for field/attribute name. Value: 42. 42 is not of type 'string'");
    // v2.0 accepts leading and trailing spaces and strips them.
    const padded = await create({ name: '  spaced  ' });
    expect((await h.server(padded.body.server.id)).name).toBe('spaced');
  });

  it('refuses an unknown flavor, image or keypair', async () => {
    expectBadRequest(await create({ flavorRef: '00000000-0000-4000-8000-000000000000' }), 'Invalid flavorRef provided.');
    expectBadRequest(await create({ imageRef: '00000000-0000-4000-8000-000000000000' }), 'Can not find requested image');
    expectBadRequest(await create({ imageRef: 'not-a-uuid' }), 'Invalid imageRef provided.');
    expectBadRequest(await create({ key_name: 'nobody' }), 'Invalid key_name provided.');
  });

  it('takes the flavor id from a flavorRef href', async () => {
    const id = await h.flavorId('m2.c2m4');
    expect((await create({ flavorRef: `${h.computeRoot}/flavors/${id}` })).status).toBe(202);
  });

  it('refuses an unknown network, subnet or port, and the external network (403)', async () => {
    expectBadRequest(await create({ networks: [{ uuid: '00000000-0000-4000-8000-000000000000' }] }), 'Network 00000000-0000-4000-8000-000000000000 could not be found.');
    expectBadRequest(await create({ networks: [{ subnet: 'nope' }] }), 'Subnet nope could not be found.');
    expectBadRequest(await create({ networks: [{ port: '00000000-0000-4000-8000-000000000000' }] }), 'Port 00000000-0000-4000-8000-000000000000 could not be found.');
    const external = (await h.network('/v2.0/networks?router:external=true')).body.networks[0].id;
    const answer = await create({ networks: [{ uuid: external }] });
    expect(answer.status).toBe(403);
    expect(answer.body.forbidden.message).toBe(`It is not allowed to create an interface on external network ${external}`);
  });

  it('refuses an unknown security group or availability zone', async () => {
    expectBadRequest(await create({ security_groups: [{ name: 'db' }] }), 'Security group db not found.');
    expectBadRequest(await create({ availability_zone: 'kr-pub-z' }), 'The requested availability zone is not available');
    const zoned = await create({ availability_zone: 'kr-pub-b' });
    expect((await h.server(zoned.body.server.id))['OS-EXT-AZ:availability_zone']).toBe('kr-pub-b');
  });

  it('applies the metadata rules: key characters and length, string values of at most 255', async () => {
    expectBadRequest(await create({ metadata: { 'bad/key': 'x' } }), "Invalid input for field/attribute metadata. Value: {'bad/key': 'x'}. Additional properties are not allowed ('bad/key' was unexpected)");
    expectBadRequest(await create({ metadata: { ['k'.repeat(256)]: 'x' } }), /Additional properties are not allowed/);
    expectBadRequest(await create({ metadata: { key: 1 } }), "Invalid input for field/attribute key. Value: 1. 1 is not of type 'string'");
    expectBadRequest(await create({ metadata: { key: 'v'.repeat(256) } }), /^Invalid input for field\/attribute key\. Value: v{256}\. 'v{256}' is too long$/);
    expectBadRequest(await create({ metadata: ['a'] }), "Invalid input for field/attribute metadata. Value: ['a']. ['a'] is not of type 'object'");
    expect((await create({ metadata: { 'Key_1-a:b. c': 'v'.repeat(255) } })).status).toBe(202);
  });

  it('refuses more than 128 metadata items (403)', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
    const answer = await create({ metadata });
    expect(answer.status).toBe(403);
    expect(answer.body.forbidden.message).toBe('Maximum number of metadata items exceeds 128');
  });

  it('user_data must be base64 of at most 65535 characters', async () => {
    expectBadRequest(await create({ user_data: 'not base64!' }), "Invalid input for field/attribute user_data. Value: not base64!. 'not base64!' is not a 'base64'");
    const tooLong = 'QUJD'.repeat(16384);
    const answer = await create({ user_data: tooLong });
    expect(answer.status).toBe(400);
    // Compared as a boolean: a 64 KiB message would flood the report.
    expect(answer.body.badRequest.message === `Invalid input for field/attribute user_data. Value: ${tooLong}. '${tooLong}' is too long`).toBe(true);
    expect((await create({ user_data: 'QUJD'.repeat(16383) })).status).toBe(202);
  });

  it('boolean fields take JSON booleans or the listed strings; the integer 1 is refused', async () => {
    const device = async (value: unknown) => create({ block_device_mapping_v2: [await rootDevice({ delete_on_termination: value })] });
    expectBadRequest(await device(1), "Invalid input for field/attribute delete_on_termination. Value: 1. 1 is not of type 'boolean', 'string'");
    expectBadRequest(await device('maybe'), /^Invalid input for field\/attribute delete_on_termination\. Value: maybe\. 'maybe' is not one of \[True, 'True', .*'no'\]$/);
    expectBadRequest(await create({ return_reservation_id: 1 }), "Invalid input for field/attribute return_reservation_id. Value: 1. 1 is not of type 'boolean', 'string'");
    // Four more servers fill the quota of 10.
    for (const value of [true, 'yes', 'On', '0']) expect((await device(value)).status).toBe(202);
  });

  it('min_count and max_count: positive, at most 10, and min_count <= max_count', async () => {
    expectBadRequest(await create({ max_count: 11 }), 'Invalid input for field/attribute max_count. Value: 11. 11 is greater than the maximum of 10');
    expectBadRequest(await create({ min_count: 0 }), 'Invalid input for field/attribute min_count. Value: 0. 0 is less than the minimum of 1');
    expectBadRequest(await create({ min_count: 'two' }), "Invalid input for field/attribute min_count. Value: two. 'two' does not match '^[0-9]*$'");
    expectBadRequest(await create({ min_count: 3, max_count: 2 }), 'min_count must be <= max_count');
  });

  it('needs a root volume for every family but u2 (403), and local disk for u2', async () => {
    const noVolume = await create({ block_device_mapping_v2: undefined });
    expect(noVolume.status).toBe(403);
    expect(noVolume.body.forbidden.message).toBe('Only volume-backed servers are allowed for flavors with zero disk.');
    expectBadRequest(await create({ flavorRef: await h.flavorId('u2.c1m1') }), 'U2 flavors boot from local disk: use destination_type local.');
    expectBadRequest(await create({ block_device_mapping_v2: undefined, imageRef: undefined, flavorRef: await h.flavorId('u2.c1m1') }), 'Missing imageRef attribute');
  });

  it('checks the root volume: a size is needed, at least the image minimum, at most 1000 GB', async () => {
    expectBadRequest(await create({ block_device_mapping_v2: [await rootDevice({ volume_size: undefined })] }), "Images with destination_type 'volume' need to have a non-zero size specified");
    expectBadRequest(await create({ block_device_mapping_v2: [await rootDevice({ volume_size: 10 })] }), 'Volume size is too small.');
    expectBadRequest(await create({ block_device_mapping_v2: [await rootDevice({ volume_size: 1001 })] }), 'Volume size is too large.');
    expectBadRequest(await create({ block_device_mapping_v2: [await rootDevice({ source_type: 'floppy' })] }), /^Invalid input for field\/attribute source_type\. Value: floppy\. 'floppy' is not one of \['volume', 'image', 'snapshot', 'blank'\]$/);
  });

  it('boots from an existing bootable volume only once (max_count 1)', async () => {
    const volumes = (await h.volume('/volumes/detail')).body.volumes as any[];
    const spare = volumes.find((v) => v.name === 'spare-a');
    const device = { source_type: 'volume', uuid: spare.id, boot_index: 0, destination_type: 'volume' };
    expectBadRequest(await create({ block_device_mapping_v2: [device], max_count: 2 }), 'Cannot attach one or more volumes to multiple instances');
    expectBadRequest(await create({ block_device_mapping_v2: [device] }), `Block Device ${spare.id} is not bootable.`);
  });

  it('applies the Windows rules: not on u2, at least 2 GB RAM, a 50 GB root, names of at most 15 characters', async () => {
    const windows = await h.imageId('Windows 2022');
    const root = await rootDevice({ volume_size: 50 }, 'Windows 2022');
    const win = (server: Record<string, unknown>) => create({ imageRef: windows, name: 'win-app', block_device_mapping_v2: [root], ...server });
    expect((await win({})).status).toBe(202);
    expectBadRequest(await win({ flavorRef: await h.flavorId('u2.c2m4'), block_device_mapping_v2: undefined }), 'Windows images cannot be used with U2 flavors.');
    expectBadRequest(await win({ flavorRef: await h.flavorId('t2.c1m1') }), "Flavor's memory is too small for requested image.");
    expectBadRequest(await win({ block_device_mapping_v2: [{ ...root, volume_size: 40 }] }), 'Volume size is too small.');
    expectBadRequest(await win({ name: 'windows-app-0001' }), 'Windows instance names are limited to 15 characters.');
  });
});

describe('PUT and DELETE /servers/{id}', () => {
  it('PUT renames and answers 200 with the full server', async () => {
    const web = await h.serverNamed('web-01');
    const answer = await h.compute('PUT', `/servers/${web.id}`, { server: { name: 'web-renamed' } });
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, sample('compute-server-get-resp.json'), serverAllowances('server'))).toEqual([]);
    expect(answer.body.server.name).toBe('web-renamed');
    expect((await h.server(web.id)).name).toBe('web-renamed');
  });

  it('PUT has no state check (a server in BUILD can be renamed) and validates the name', async () => {
    const { id } = (await create()).body.server;
    expect((await h.compute('PUT', `/servers/${id}`, { server: { name: 'still-building' } })).status).toBe(200);
    expectBadRequest(await h.compute('PUT', `/servers/${id}`, { server: { name: '' } }), "Invalid input for field/attribute name. Value: . '' is too short");
    expectBadRequest(await h.compute('PUT', `/servers/${id}`, { name: 'x' }), "'server' is a required property");
    expect((await h.compute('PUT', '/servers/00000000-0000-4000-8000-000000000000', { server: {} })).status).toBe(404);
  });

  it('DELETE answers 204 in any state, removes the server, frees its volumes and quota', async () => {
    const { id } = (await create({ max_count: 4 })).body.server;
    const db = await h.serverNamed('db-01');
    const data = db['os-extended-volumes:volumes_attached'][1].id;
    for (const server of [id, db.id, (await h.serverNamed('build-failed')).id]) {
      const answer = await h.compute('DELETE', `/servers/${server}`);
      expect(answer.status).toBe(204);
      expect(answer.text).toBe('');
      expect((await h.compute('GET', `/servers/${server}`)).status).toBe(404);
    }
    expect((await h.volume(`/volumes/${data}`)).body.volume).toMatchObject({ status: 'available', attachments: [] });
    expect((await h.volume(`/volumes/${db['os-extended-volumes:volumes_attached'][0].id}`)).status).toBe(404);
    expect((await create()).status).toBe(202);
    expect((await h.compute('DELETE', `/servers/${id}`)).status).toBe(404);
  });
});
