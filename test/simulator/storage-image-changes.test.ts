// The simulator's Cinder volumes, snapshots and types, and Glance's image changes, over HTTP: status
// codes, error bodies and the rules the gateway relies on (json-patch media type, read-only and
// protected images, NHN's tag rule, Cinder paging and sorting, volume deletion rules, `reserved`).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ buildDelayMs: 20 });
  await h.login();
});
afterAll(() => h.sim.close());

const PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';
const volumeRoot = () => `${h.sim.url}/volume/v2/${h.sim.tenantId}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function patch(id: string, body: unknown, contentType = PATCH_TYPE) {
  const response = await fetch(`${h.sim.url}/image/v2/images/${id}`, {
    method: 'PATCH',
    headers: { 'x-auth-token': h.token, 'content-type': contentType },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

async function ownImage(): Promise<string> {
  const list = await h.image('/v2/images?visibility=private');
  return list.body.images[0].id;
}

describe('Glance image changes', () => {
  it('PATCH needs the json-patch media type (415 with Accept-Patch otherwise)', async () => {
    const id = await ownImage();
    const answer = await patch(id, [{ op: 'replace', path: '/name', value: 'x' }], 'application/json');
    expect(answer.status).toBe(415);
    expect(answer.headers.get('accept-patch')).toBe('application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch');
  });

  it('applies replace, add and remove and answers the image', async () => {
    const id = await ownImage();
    const answer = await patch(id, [
      { op: 'replace', path: '/name', value: 'patched' },
      { op: 'add', path: '/purpose', value: 'golden' },
      { op: 'replace', path: '/min_ram', value: 512 },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, name: 'patched', purpose: 'golden', min_ram: 512 });
    const removed = await patch(id, [{ op: 'remove', path: '/purpose' }]);
    expect(removed.body.purpose).toBeUndefined();
  });

  it("refuses read-only attributes (403), unknown properties (409), bad values (400) with Glance's text", async () => {
    const id = await ownImage();
    const readOnly = await patch(id, [{ op: 'replace', path: '/status', value: 'active' }]);
    expect([readOnly.status, readOnly.text]).toEqual([403, expect.stringContaining("Attribute 'status' is read-only.")]);
    const missing = await patch(id, [{ op: 'remove', path: '/nothing_here' }]);
    expect([missing.status, missing.text]).toEqual([409, expect.stringContaining('Property nothing_here does not exist.')]);
    const base = await patch(id, [{ op: 'remove', path: '/name' }]);
    expect([base.status, base.text]).toEqual([403, expect.stringContaining('Property name may not be removed.')]);
    const badOp = await patch(id, [{ op: 'move', path: '/name' }]);
    expect(badOp.status).toBe(400);
    const deep = await patch(id, [{ op: 'replace', path: '/a/b', value: 'x' }]);
    expect([deep.status, deep.text]).toEqual([400, expect.stringContaining("Invalid JSON pointer for this resource: '/a/b'")]);
    const notList = await patch(id, { op: 'replace' });
    expect(notList.text).toContain('Request body must be a JSON array of operation objects.');
    const publicize = await patch(id, [{ op: 'replace', path: '/visibility', value: 'public' }]);
    expect(publicize.status).toBe(403);
  });

  it('refuses to delete a protected image, deletes it once unprotected', async () => {
    const id = await ownImage();
    expect((await patch(id, [{ op: 'replace', path: '/protected', value: true }])).status).toBe(200);
    const refused = await h.request('DELETE', `${h.sim.url}/image/v2/images/${id}`);
    expect([refused.status, refused.text]).toEqual([403, expect.stringContaining(`Image ${id} is protected and cannot be deleted.`)]);
    await patch(id, [{ op: 'replace', path: '/protected', value: false }]);
    expect((await h.request('DELETE', `${h.sim.url}/image/v2/images/${id}`)).status).toBe(204);
    expect((await h.image(`/v2/images/${id}`)).status).toBe(404);
  });

  it("tags: NHN's rules, 204s, and 404 for a tag the image lacks", async () => {
    const id = (await h.image('/v2/images')).body.images.find((i: any) => i.visibility === 'public').id;
    expect((await h.request('PUT', `${h.sim.url}/image/v2/images/${id}/tags/x`)).status).toBe(403);
    await h.compute('GET', '/servers');
    const dev = await h.serverNamed('dev-u2');
    await h.action(dev.id, { createImage: { name: 'tag-target' } });
    const own = (await h.image('/v2/images?name=tag-target')).body.images[0].id;
    expect((await h.request('PUT', `${h.sim.url}/image/v2/images/${own}/tags/_nhn`)).status).toBe(400);
    expect((await h.request('PUT', `${h.sim.url}/image/v2/images/${own}/tags/${'t'.repeat(256)}`)).status).toBe(400);
    expect((await h.request('PUT', `${h.sim.url}/image/v2/images/${own}/tags/web`)).status).toBe(204);
    expect((await h.image(`/v2/images/${own}`)).body.tags).toEqual(['web']);
    expect((await h.request('DELETE', `${h.sim.url}/image/v2/images/${own}/tags/web`)).status).toBe(204);
    expect((await h.request('DELETE', `${h.sim.url}/image/v2/images/${own}/tags/web`)).status).toBe(404);
  });
});

describe('Cinder volumes, snapshots and types', () => {
  it('lists with limit, offset, sort and a next link; refuses a bad limit and an unknown marker', async () => {
    const all = await h.volume('/volumes/detail?sort=size:asc,name:asc');
    const sizes = all.body.volumes.map((v: any) => v.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(all.body.volumes_links).toBeUndefined();
    const page = await h.volume('/volumes?limit=2&offset=1&sort=size:asc,name:asc');
    expect(page.body.volumes.map((v: any) => v.id)).toEqual(all.body.volumes.slice(1, 3).map((v: any) => v.id));
    expect(page.body.volumes_links[0]).toMatchObject({ rel: 'next' });
    expect(page.body.volumes_links[0].href).toContain(`marker=${page.body.volumes[1].id}`);
    expect((await h.volume('/volumes?limit=x')).body).toEqual({ badRequest: { code: 400, message: 'limit param must be an integer' } });
    expect((await h.volume('/volumes?sort=colour')).status).toBe(400);
    expect((await h.volume('/volumes?marker=00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('creates with the default type, refuses an encrypted type without a key, and settles creating -> available', async () => {
    const created = await h.request('POST', `${volumeRoot()}/volumes`, { volume: { size: 10, name: 'sim-new' } });
    expect(created.status).toBe(202);
    expect(created.body.volume).toMatchObject({ status: 'creating', volume_type: 'General HDD', bootable: 'false', encrypted: false });
    await sleep(60);
    expect((await h.volume(`/volumes/${created.body.volume.id}`)).body.volume.status).toBe('available');
    const encrypted = await h.request('POST', `${volumeRoot()}/volumes`, { volume: { size: 10, volume_type: 'Encrypted SSD' } });
    expect(encrypted.status).toBe(400);
    const keyed = await h.request('POST', `${volumeRoot()}/volumes`, {
      volume: { size: 10, volume_type: 'Encrypted SSD', nhn_encryption: { skm_appkey: 'app', skm_key_id: 'key' } },
    });
    expect(keyed.body.volume.encrypted).toBe(true);
    const zero = await h.request('POST', `${volumeRoot()}/volumes`, { volume: { size: 0 } });
    expect(zero.body.badRequest.message).toBe("Invalid input received: Volume size '0' must be an integer and greater than 0");
  });

  it('refuses to delete a volume that is not available (creating here; reserved, in-use... the same rule)', async () => {
    const created = await h.request('POST', `${volumeRoot()}/volumes`, { volume: { size: 10 } });
    const refused = await h.request('DELETE', `${volumeRoot()}/volumes/${created.body.volume.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.badRequest.message).toBe(
      'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
    );
    await sleep(60);
    expect((await h.request('DELETE', `${volumeRoot()}/volumes/${created.body.volume.id}`)).status).toBe(202);
  });

  it('snapshots: detail carries progress, a snapshot of an unknown volume is 404', async () => {
    const detail = await h.volume('/snapshots/detail');
    expect(detail.body.snapshots[0]).toMatchObject({ status: 'available', 'os-extended-snapshot-attributes:progress': '100%' });
    const plain = await h.volume('/snapshots');
    expect(plain.body.snapshots[0]['os-extended-snapshot-attributes:progress']).toBeUndefined();
    const missing = await h.request('POST', `${volumeRoot()}/snapshots`, { snapshot: { volume_id: '00000000-0000-4000-8000-000000000000' } });
    expect(missing.body).toEqual({ itemNotFound: { code: 404, message: 'Volume 00000000-0000-4000-8000-000000000000 could not be found.' } });
  });

  it('types: four public types with their backends', async () => {
    const types = await h.volume('/types');
    expect(types.body.volume_types.map((t: any) => [t.name, t.extra_specs.volume_backend_name])).toEqual([
      ['General HDD', 'hdd_general'],
      ['General SSD', 'ssd_general'],
      ['Encrypted HDD', 'hdd_encrypted'],
      ['Encrypted SSD', 'ssd_encrypted'],
    ]);
  });
});
