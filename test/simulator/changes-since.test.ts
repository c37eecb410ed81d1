// GET /servers/detail?changes-since as Nova answers it (live-and-scale.md A.3 and A.5): updated_at
// compared inclusively at whole seconds, deleted servers listed with status DELETED until archived,
// build requests ignoring the filter with the time of the read as `updated`, attachments and
// security groups (other tables) leaving `updated` alone, and changes made from the console.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  // A long build delay and schedule phase: the build request stays one for the whole file's tests.
  h = await startHarness({ buildDelayMs: 60_000, scheduleDelayMs: 30_000 });
  await h.login();
});
afterAll(() => h.sim.close());

const since = (iso: string) => h.compute('GET', `/servers/detail?changes-since=${encodeURIComponent(iso)}`);
const isoSeconds = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('changes-since', () => {
  it('answers 400 with Nova\'s message for a bad value, and for a raw "+" (a space once decoded)', async () => {
    for (const value of ['yesterday', '2024-13-01T00:00:00Z']) {
      const answer = await since(value);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ badRequest: { code: 400, message: 'Invalid filter field: changes-since.' } });
    }
    const plus = await h.compute('GET', '/servers/detail?changes-since=2024-01-01T00:00:00+00:00');
    expect(plus.status).toBe(400);
  });

  it('compares updated_at >= value at whole seconds (a value with a fraction of that second no longer matches)', async () => {
    const id = await h.addServer('ACTIVE');
    await h.compute('PUT', `/servers/${id}`, { server: { name: 'renamed-now' } });
    const updated = Date.parse((await h.server(id)).updated);
    const inSameSecond = new Date(updated + 999).toISOString();
    expect((await since(inSameSecond)).body.servers.map((s: any) => s.id)).not.toContain(id);
    expect((await since(isoSeconds(updated))).body.servers.map((s: any) => s.id)).toContain(id);
    expect((await since(isoSeconds(updated + 1000))).body.servers.map((s: any) => s.id)).not.toContain(id);
  });

  it('lists a deleted server with status DELETED (only there) until the retention passes', async () => {
    const id = await h.addServer('ACTIVE');
    const before = isoSeconds(Date.now() - 1000);
    expect((await h.compute('DELETE', `/servers/${id}`)).status).toBe(204);
    const row = (await since(before)).body.servers.find((s: any) => s.id === id);
    expect(row).toMatchObject({ status: 'DELETED', 'OS-EXT-STS:vm_state': 'deleted', 'OS-EXT-STS:task_state': null });
    expect((await h.compute('GET', '/servers/detail')).body.servers.map((s: any) => s.id)).not.toContain(id);
    expect((await h.compute('GET', `/servers/${id}`)).status).toBe(404);
    h.sim.controls.setDeletedRetention(0);
    expect((await since(before)).body.servers.map((s: any) => s.id)).not.toContain(id);
    h.sim.controls.setDeletedRetention(24 * 3_600_000);
  });

  it('volume attachments and security groups do not move `updated` (Nova keeps them in other tables)', async () => {
    const id = await h.addServer('ACTIVE');
    const updated = (await h.server(id)).updated;
    await wait(1100);
    expect((await h.compute('POST', `/servers/${id}/action`, { addSecurityGroup: { name: 'web' } })).status).toBe(202);
    const volumes = (await h.request('GET', `${h.sim.url}/volume/v2/${h.sim.tenantId}/volumes/detail`)).body.volumes;
    const zone = (await h.server(id))['OS-EXT-AZ:availability_zone'];
    const spare = volumes.find((v: any) => v.status === 'available' && v.availability_zone === zone);
    expect(spare).toBeDefined();
    expect((await h.compute('POST', `/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: spare.id } })).status).toBe(200);
    const after = await h.server(id);
    expect(after.security_groups).toContainEqual({ name: 'web' });
    expect(after.updated).toBe(updated);
  });
});

describe('a build request (not yet scheduled)', () => {
  it('ignores changes-since, shows the time of the read as `updated`, and leaves no DELETED row when deleted', async () => {
    const created = await h.compute('POST', '/servers', await h.createBody({ name: 'unscheduled' }));
    expect(created.status).toBe(202);
    const id = created.body.server.id;
    const future = isoSeconds(Date.now() + 3_600_000);
    const first = (await since(future)).body.servers.find((s: any) => s.id === id);
    expect(first).toMatchObject({ status: 'BUILD', 'OS-EXT-STS:task_state': 'scheduling' });
    await wait(1100);
    const second = (await since(future)).body.servers.find((s: any) => s.id === id);
    expect(Date.parse(second.updated)).toBeGreaterThan(Date.parse(first.updated));
    expect(second.created).toBe(first.created);

    // A rename sets `updated` to the rename time; the PUT's own answer still shows the previous one.
    const renamed = await h.compute('PUT', `/servers/${id}`, { server: { name: 'unscheduled-2' } });
    expect(renamed.body.server.name).toBe('unscheduled-2');
    const renamedAt = (await h.server(id)).updated;
    await wait(1100);
    expect((await h.server(id)).updated).toBe(renamedAt);

    const deletedAfter = isoSeconds(Date.now() - 1000);
    expect((await h.compute('DELETE', `/servers/${id}`)).status).toBe(204);
    expect((await h.compute('GET', `/servers/${id}`)).body).toEqual({ itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
    expect((await since(deletedAfter)).body.servers.map((s: any) => s.id)).not.toContain(id);
  });
});

describe('changes behind the gateway\'s back (the console control)', () => {
  it('stops a server without an API call, moving `updated`', async () => {
    const id = await h.addServer('ACTIVE');
    h.sim.controls.resetLog();
    h.sim.controls.changeServer(id, { action: 'stop' });
    expect(h.sim.controls.requestLog()).toEqual([]);
    const server = await h.server(id);
    expect(server).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off' });
    expect(() => h.sim.controls.changeServer(id, { action: 'start' })).toThrow(/409/);
    h.sim.controls.changeServer(id, { action: 'fail', message: 'host down' });
    expect(await h.server(id)).toMatchObject({ status: 'ERROR', fault: { code: 500, message: 'host down' } });
  });
});
