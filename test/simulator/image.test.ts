// Glance v2: image documents against NHN's samples, paging with limit, marker and `next`, the
// `id=in:` filter, and Glance's plain-text errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness } from './harness.js';
import { shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.sim.close());

const ids = (answer: { body: any }) => answer.body.images.map((i: any) => i.id as string);

describe('GET /v2/images/{id}', () => {
  it("has NHN's flat shape with NHN's image properties", async () => {
    const id = await h.imageId('Windows 2022');
    const answer = await h.image(`/v2/images/${id}`);
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, sample('image-image-get-resp.json'))).toEqual([]);
    expect(answer.body).toMatchObject({ os_type: 'windows', login_username: 'Administrator', min_disk: 50, visibility: 'public', status: 'active' });
    expect(answer.body.self).toBe(`/v2/images/${id}`);
    expect(answer.body.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('answers 404 as plain text', async () => {
    const answer = await h.image('/v2/images/00000000-0000-4000-8000-000000000000');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.text).toContain('No image found with ID 00000000-0000-4000-8000-000000000000');
  });
});

describe('GET /v2/images', () => {
  it("lists public images and the tenant's own in NHN's shape, newest first", async () => {
    const answer = await h.image('/v2/images');
    expect(shapeDifferences(answer.body, sample('image-images-list-resp.json'), { optional: ['next'] })).toEqual([]);
    expect(answer.body.schema).toBe('/v2/schemas/images');
    expect(answer.body.first).toBe('/v2/images');
    const names = answer.body.images.map((i: any) => i.name);
    expect(names.some((n: string) => n.startsWith('Ubuntu'))).toBe(true);
    expect(names.some((n: string) => n.startsWith('Rocky'))).toBe(true);
    expect(names.some((n: string) => n.startsWith('Windows'))).toBe(true);
    expect(answer.body.images.filter((i: any) => i.visibility === 'private').every((i: any) => i.owner === h.sim.tenantId)).toBe(true);
    const created = answer.body.images.map((i: any) => i.created_at);
    expect(created).toEqual([...created].sort().reverse());
    // Not a full page (7 images, default limit 100): no next link.
    expect(answer.body.next).toBeUndefined();
  });

  it('pages with limit and marker; next only when the page is full, relative, keeping the query', async () => {
    const all = ids(await h.image('/v2/images'));
    const first = await h.image('/v2/images?limit=3&visibility=public');
    expect(ids(first)).toHaveLength(3);
    expect(first.body.next).toBe(`/v2/images?limit=3&visibility=public&marker=${ids(first)[2]}`);
    expect(first.body.first).toBe('/v2/images?limit=3&visibility=public');
    const seen = [...ids(first)];
    let next: string | undefined = first.body.next;
    while (next) {
      const page = await h.image(next);
      seen.push(...ids(page));
      next = page.body.next;
    }
    expect(seen).toEqual(all.filter((id: string) => seen.includes(id)));
    expect(seen).toHaveLength(6);
  });

  it('filters with id=in:a,b,c (and name=in: with quoted values)', async () => {
    const all = ids(await h.image('/v2/images'));
    const picked = [all[1], all[4], '00000000-0000-4000-8000-000000000000'];
    const answer = await h.image(`/v2/images?id=in:${picked.join(',')}`);
    expect(ids(answer).sort()).toEqual([all[1], all[4]].sort());
    const name = (await h.image(`/v2/images/${all[0]}`)).body.name;
    expect(ids(await h.image(`/v2/images?name=in:"${encodeURIComponent(name)}",other`))).toEqual([all[0]]);
    expect(ids(await h.image(`/v2/images?os_type=windows`))).toHaveLength(2);
    const unknown = await h.image('/v2/images?id=gt:abc');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("Unable to filter by unknown operator 'gt'.");
  });

  it('refuses an unknown marker, a bad limit, a bad visibility and changes-since, as plain text', async () => {
    const cases: [string, string][] = [
      ['/v2/images?marker=nope', 'Marker nope could not be found.'],
      ['/v2/images?limit=many', 'limit param must be an integer'],
      ['/v2/images?limit=-1', 'limit param must be positive'],
      ['/v2/images?visibility=everyone', 'Invalid visibility value: everyone'],
      ['/v2/images?changes-since=2020-01-01', 'The "changes-since" filter is no longer available on v2.'],
    ];
    for (const [path, message] of cases) {
      const answer = await h.image(path);
      expect(answer.status).toBe(400);
      expect(answer.body).toBeUndefined();
      expect(answer.text).toContain(message);
    }
  });

  it('does not show another tenant\'s private images', async () => {
    h.sim.controls.addAccount({ tenantId: 'b1b2c3d4e5f60718293a4b5c6d7e8f90', username: 'b@example.com', apiPassword: 'b' });
    const theirs = await h.issueToken({ tenantId: 'b1b2c3d4e5f60718293a4b5c6d7e8f90', username: 'b@example.com', password: 'b' });
    const mine = ids(await h.image('/v2/images'));
    const visibleToThem = (await h.request('GET', `${h.sim.url}/image/v2/images`, undefined, theirs.body.access.token.id)).body.images;
    const ownPrivate = (await h.image('/v2/images?visibility=private')).body.images[0].id;
    expect(visibleToThem.map((i: any) => i.id)).not.toContain(ownPrivate);
    expect(mine).toContain(ownPrivate);
    expect((await h.request('GET', `${h.sim.url}/image/v2/images/${ownPrivate}`, undefined, theirs.body.access.token.id)).status).toBe(404);
  });
});
