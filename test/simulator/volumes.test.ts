// Volume attachments (compute) and Cinder v2 volumes: shapes against their samples, attach and
// detach updating both sides, the state rows of attach_volume/detach_volume, limit and offset.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness } from './harness.js';
import { shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ buildDelayMs: 30 });
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

async function volumeNamed(name: string): Promise<any> {
  return ((await h.volume('/volumes/detail')).body.volumes as any[]).find((v) => v.name === name);
}

async function waitForVolume(id: string, status: string): Promise<any> {
  for (let i = 0; i < 300; i++) {
    const volume = (await h.volume(`/volumes/${id}`)).body.volume;
    if (volume.status === status) return volume;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`volume ${id} never became ${status}`);
}

const attachments = (serverId: string, query = '') => h.compute('GET', `/servers/${serverId}/os-volume_attachments${query}`);

describe('os-volume_attachments', () => {
  it("lists the root volume and data volumes in NHN's shape", async () => {
    const db = await h.serverNamed('db-01');
    const answer = await attachments(db.id);
    expect(shapeDifferences(answer.body, sample('compute-volume-attachments-list-resp.json'))).toEqual([]);
    expect(answer.body.volumeAttachments.map((a: any) => a.device)).toEqual(['/dev/vda', '/dev/vdb']);
    for (const a of answer.body.volumeAttachments) expect(a.id).toBe(a.volumeId);
  });

  it('honours limit and offset, and refuses non-integers', async () => {
    const db = await h.serverNamed('db-01');
    expect((await attachments(db.id, '?limit=1')).body.volumeAttachments.map((a: any) => a.device)).toEqual(['/dev/vda']);
    expect((await attachments(db.id, '?limit=1&offset=1')).body.volumeAttachments.map((a: any) => a.device)).toEqual(['/dev/vdb']);
    expect((await attachments(db.id, '?offset=5')).body.volumeAttachments).toEqual([]);
    const bad = await attachments(db.id, '?limit=x');
    expect(bad.body).toEqual({ badRequest: { code: 400, message: "Invalid input for query parameters limit. Value: x. 'x' does not match '^[0-9]*$'" } });
    expect((await attachments(db.id, '?offset=-1')).status).toBe(400);
  });

  it("shows one attachment in NHN's shape; 404 when the volume is not attached", async () => {
    const db = await h.serverNamed('db-01');
    const data = db['os-extended-volumes:volumes_attached'][1].id;
    const answer = await h.compute('GET', `/servers/${db.id}/os-volume_attachments/${data}`);
    expect(shapeDifferences(answer.body, sample('compute-volume-attachment-get-resp.json'))).toEqual([]);
    expect(answer.body.volumeAttachment).toEqual({ device: '/dev/vdb', id: data, serverId: db.id, volumeId: data });
    const spare = await volumeNamed('spare-a');
    const missing = await h.compute('GET', `/servers/${db.id}/os-volume_attachments/${spare.id}`);
    expect(missing.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${db.id} is not attached to volume ${spare.id}` } });
  });

  it('attach: 200 with the attachment; server and volume both change (attaching -> in-use)', async () => {
    const web = await h.serverNamed('web-01');
    const spare = await volumeNamed('spare-a');
    const answer = await h.compute('POST', `/servers/${web.id}/os-volume_attachments`, { volumeAttachment: { volumeId: spare.id } });
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, sample('compute-volume-attach-resp.json'))).toEqual([]);
    expect(answer.body.volumeAttachment).toEqual({ device: '/dev/vdb', id: spare.id, serverId: web.id, volumeId: spare.id });
    expect((await h.server(web.id))['os-extended-volumes:volumes_attached'].map((v: any) => v.id)).toContain(spare.id);
    expect((await h.volume(`/volumes/${spare.id}`)).body.volume.status).toBe('attaching');
    const attached = await waitForVolume(spare.id, 'in-use');
    expect(attached.attachments).toEqual([expect.objectContaining({ server_id: web.id, volume_id: spare.id, device: '/dev/vdb', id: spare.id })]);
  });

  it('detach: 202; detaching, then available, and gone from the server', async () => {
    const db = await h.serverNamed('db-01');
    const data = db['os-extended-volumes:volumes_attached'][1].id;
    const answer = await h.compute('DELETE', `/servers/${db.id}/os-volume_attachments/${data}`);
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    expect((await h.volume(`/volumes/${data}`)).body.volume.status).toBe('detaching');
    const detached = await waitForVolume(data, 'available');
    expect(detached.attachments).toEqual([]);
    expect((await h.server(db.id))['os-extended-volumes:volumes_attached'].map((v: any) => v.id)).not.toContain(data);
  });

  it('attach is allowed for SHUTOFF and PAUSED servers, refused for SHELVED_OFFLOADED (needs 2.20), BUILD and ERROR', async () => {
    const spare = await volumeNamed('spare-a');
    const body = { volumeAttachment: { volumeId: spare.id } };
    for (const [status, allowed] of [['SHELVED_OFFLOADED', false], ['BUILD', false], ['ERROR', false], ['PAUSED', true], ['SHUTOFF', true]] as const) {
      // addServers alternates zones; keep adding until the server is in the volume's zone.
      let id = await h.addServer(status);
      if ((await h.server(id))['OS-EXT-AZ:availability_zone'] !== spare.availability_zone) id = await h.addServer(status);
      const answer = await h.compute('POST', `/servers/${id}/os-volume_attachments`, body);
      if (allowed) {
        expect(answer.status).toBe(200);
        await waitForVolume(spare.id, 'in-use');
        expect((await h.compute('DELETE', `/servers/${id}/os-volume_attachments/${spare.id}`)).status).toBe(202);
        await waitForVolume(spare.id, 'available');
      } else {
        const state = { SHELVED_OFFLOADED: 'shelved_offloaded', BUILD: 'building', ERROR: 'error' }[status];
        expect(answer.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'attach_volume' instance ${id} while it is in vm_state ${state}` } });
      }
    }
  });

  it('detach is refused for a SHELVED_OFFLOADED server and for the root volume', async () => {
    const db = await h.serverNamed('db-01');
    const root = await h.compute('DELETE', `/servers/${db.id}/os-volume_attachments/${db['os-extended-volumes:volumes_attached'][0].id}`);
    expect(root.body).toEqual({ badRequest: { code: 400, message: 'Cannot detach a root device volume' } });
    const data = db['os-extended-volumes:volumes_attached'][1].id;
    expect((await h.action(db.id, { shelve: null })).status).toBe(202);
    await h.waitForStatus(db.id, 'SHELVED_OFFLOADED');
    const shelved = await h.compute('DELETE', `/servers/${db.id}/os-volume_attachments/${data}`);
    expect(shelved.body.conflictingRequest.message).toBe(`Cannot 'detach_volume' instance ${db.id} while it is in vm_state shelved_offloaded`);
  });

  it('refuses a volume in use, in another zone, unknown, a busy device and a bad body', async () => {
    const web = await h.serverNamed('web-01');
    const attach = (body: unknown) => h.compute('POST', `/servers/${web.id}/os-volume_attachments`, body);
    const inUse = (await h.serverNamed('db-01'))['os-extended-volumes:volumes_attached'][1].id;
    expect((await attach({ volumeAttachment: { volumeId: inUse } })).body.badRequest.message).toBe(
      `Invalid volume: volume '${inUse}' status must be 'available'. Currently in 'in-use'`,
    );
    const other = await volumeNamed('spare-b');
    expect((await attach({ volumeAttachment: { volumeId: other.id } })).body.badRequest.message).toMatch(/are not in the same availability_zone/);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await attach({ volumeAttachment: { volumeId: unknown } })).body).toEqual({ itemNotFound: { code: 404, message: `Volume ${unknown} could not be found.` } });
    const spare = await volumeNamed('spare-a');
    expect((await attach({ volumeAttachment: { volumeId: spare.id, device: '/dev/vda' } })).status).toBe(409);
    expect((await attach({ volumeAttachment: { volumeId: 'abc' } })).body.badRequest.message).toBe("Invalid input for field/attribute volumeId. Value: abc. 'abc' is not a 'uuid'");
    expect((await attach({ volumeAttachment: {} })).body.badRequest.message).toBe("Invalid input for field/attribute volumeAttachment. Value: {}. 'volumeId' is a required property");
    expect((await attach({ volumeAttachment: { volumeId: spare.id, device: 'sdb' } })).status).toBe(400);
  });
});

describe('Cinder v2 volumes', () => {
  it("GET /volumes, /volumes/detail and /volumes/{id} have NHN's shapes", async () => {
    expect(shapeDifferences((await h.volume('/volumes')).body, sample('volume-volumes-list-resp.json'))).toEqual([]);
    const detail = await h.volume('/volumes/detail');
    expect(shapeDifferences(detail.body, sample('volume-volumes-detail-resp.json'))).toEqual([]);
    for (const volume of detail.body.volumes) {
      const one = await h.volume(`/volumes/${volume.id}`);
      expect(shapeDifferences(one.body, sample('volume-volume-get-resp.json'))).toEqual([]);
      expect(['true', 'false']).toContain(one.body.volume.bootable);
      expect(one.body.volume.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    }
    const zones = new Set(detail.body.volumes.map((v: any) => v.availability_zone));
    expect(zones).toEqual(new Set(['kr-pub-a', 'kr-pub-b']));
  });

  it("answers 404 in Nova's envelope for an unknown volume", async () => {
    const answer = await h.volume('/volumes/nope');
    expect(answer.body).toEqual({ itemNotFound: { code: 404, message: 'Volume nope could not be found.' } });
  });
});
