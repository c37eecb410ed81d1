// POST /servers/{id}/action and the state table of api-facts.md section 4: for each action, the
// states it is allowed in (202, passing through its task state and settling) and a state it is
// refused in (409 conflictingRequest with Nova's message).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness, type Answer } from './harness.js';
import { shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ buildDelayMs: 40 });
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

function expectConflict(answer: Answer, action: string, id: string, attr: string, state: string): void {
  expect(answer.status).toBe(409);
  expect(answer.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot '${action}' instance ${id} while it is in ${attr} ${state}` } });
}

function expectAccepted(answer: Answer): void {
  expect(answer.status).toBe(202);
  expect(answer.text).toBe('');
}

const task = (server: any) => server['OS-EXT-STS:task_state'];

/** Runs the action, checks the transitional view right away, then waits for the settled one. */
async function transition(id: string, body: unknown, during: Record<string, unknown>, after: Record<string, unknown>): Promise<any> {
  expectAccepted(await h.action(id, body));
  expect(await h.server(id)).toMatchObject(during);
  const settled = await h.waitFor(id, (s) => task(s) === null);
  expect(settled).toMatchObject(after);
  return settled;
}

describe('os-stop (allowed: vm_state active, error; no task)', () => {
  it('ACTIVE: task powering-off, then SHUTOFF with power state 4', async () => {
    const { id } = await h.serverNamed('web-01');
    await transition(id, { 'os-stop': null }, { status: 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off' }, {
      status: 'SHUTOFF', 'OS-EXT-STS:vm_state': 'stopped', 'OS-EXT-STS:power_state': 4,
    });
  });

  it('ERROR (a server that had launched): SHUTOFF', async () => {
    const id = await h.addServer('ERROR');
    await transition(id, { 'os-stop': null }, { status: 'ERROR', 'OS-EXT-STS:task_state': 'powering-off' }, { status: 'SHUTOFF' });
  });

  it('refused when SHUTOFF, BUILD, while a task runs, and for a server that never launched', async () => {
    const stopped = (await h.serverNamed('batch-01')).id;
    expectConflict(await h.action(stopped, { 'os-stop': null }), 'stop', stopped, 'vm_state', 'stopped');
    const building = await h.addServer('BUILD');
    expectConflict(await h.action(building, { 'os-stop': null }), 'stop', building, 'vm_state', 'building');
    const web = (await h.serverNamed('web-01')).id;
    expectAccepted(await h.action(web, { 'os-stop': null }));
    expectConflict(await h.action(web, { 'os-stop': null }), 'stop', web, 'task_state', 'powering-off');
    const failed = (await h.serverNamed('build-failed')).id;
    expectConflict(await h.action(failed, { 'os-stop': null }), 'stop', failed, 'launched_at', 'None');
  });
});

describe('os-start (allowed: vm_state stopped)', () => {
  it('SHUTOFF: task powering-on, then ACTIVE with power state 1', async () => {
    const { id } = await h.serverNamed('batch-01');
    await transition(id, { 'os-start': null }, { status: 'SHUTOFF', 'OS-EXT-STS:task_state': 'powering-on' }, {
      status: 'ACTIVE', 'OS-EXT-STS:power_state': 1,
    });
  });

  it("refused when ACTIVE, with Nova's message (the sample)", async () => {
    const { id } = await h.serverNamed('web-01');
    const answer = await h.action(id, { 'os-start': null });
    expectConflict(answer, 'start', id, 'vm_state', 'active');
    expect(shapeDifferences(answer.body, sample('error-conflictingRequest-invalid-state-resp.json'))).toEqual([]);
  });

  it('refused when PAUSED or ERROR', async () => {
    for (const status of ['PAUSED', 'ERROR']) {
      const id = await h.addServer(status);
      expectConflict(await h.action(id, { 'os-start': null }), 'start', id, 'vm_state', status.toLowerCase());
    }
  });
});

describe('reboot', () => {
  it('SOFT from ACTIVE: REBOOT, then ACTIVE', async () => {
    const { id } = await h.serverNamed('web-01');
    await transition(id, { reboot: { type: 'SOFT' } }, { status: 'REBOOT', 'OS-EXT-STS:task_state': 'rebooting' }, { status: 'ACTIVE' });
  });

  it('SOFT is refused when SHUTOFF and while rebooting', async () => {
    const stopped = (await h.serverNamed('batch-01')).id;
    expectConflict(await h.action(stopped, { reboot: { type: 'soft' } }), 'reboot', stopped, 'vm_state', 'stopped');
    const web = (await h.serverNamed('web-01')).id;
    expectAccepted(await h.action(web, { reboot: { type: 'SOFT' } }));
    expectConflict(await h.action(web, { reboot: { type: 'SOFT' } }), 'reboot', web, 'task_state', 'rebooting');
  });

  it('HARD from ACTIVE: HARD_REBOOT, then ACTIVE', async () => {
    const { id } = await h.serverNamed('web-01');
    await transition(id, { reboot: { type: 'HARD' } }, { status: 'HARD_REBOOT', 'OS-EXT-STS:task_state': 'rebooting_hard' }, { status: 'ACTIVE' });
  });

  it('HARD from SHUTOFF, PAUSED, SUSPENDED and ERROR ends ACTIVE', async () => {
    for (const status of ['SHUTOFF', 'PAUSED', 'SUSPENDED', 'ERROR']) {
      const id = await h.addServer(status);
      await transition(id, { reboot: { type: 'Hard' } }, { 'OS-EXT-STS:task_state': 'rebooting_hard' }, { status: 'ACTIVE', 'OS-EXT-STS:power_state': 1 });
    }
  });

  it('HARD is allowed during a soft reboot (REBOOT) and while HARD_REBOOT', async () => {
    const { id } = await h.serverNamed('web-01');
    expectAccepted(await h.action(id, { reboot: { type: 'SOFT' } }));
    expectAccepted(await h.action(id, { reboot: { type: 'HARD' } }));
    expect((await h.server(id)).status).toBe('HARD_REBOOT');
    expectAccepted(await h.action(id, { reboot: { type: 'HARD' } }));
  });

  it('HARD is refused when SHELVED_OFFLOADED, BUILD, or while powering off', async () => {
    const shelved = await h.addServer('SHELVED_OFFLOADED');
    expectConflict(await h.action(shelved, { reboot: { type: 'HARD' } }), 'reboot', shelved, 'vm_state', 'shelved_offloaded');
    const building = await h.addServer('BUILD');
    expectConflict(await h.action(building, { reboot: { type: 'HARD' } }), 'reboot', building, 'vm_state', 'building');
    const web = (await h.serverNamed('web-01')).id;
    expectAccepted(await h.action(web, { 'os-stop': null }));
    expectConflict(await h.action(web, { reboot: { type: 'HARD' } }), 'reboot', web, 'task_state', 'powering-off');
  });

  it('validates type', async () => {
    const { id } = await h.serverNamed('web-01');
    const answer = await h.action(id, { reboot: { type: 'WARM' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(sample('error-badRequest-validation-resp.json'));
    expect((await h.action(id, { reboot: {} })).body.badRequest.message).toBe("Invalid input for field/attribute reboot. Value: {}. 'type' is a required property");
  });
});

describe('resize (allowed: active, stopped; NHN confirms it itself)', () => {
  it('ACTIVE: RESIZE, then ACTIVE with the new flavor', async () => {
    const { id } = await h.serverNamed('web-01');
    const flavor = await h.flavorId('m2.c4m8');
    const settled = await transition(id, { resize: { flavorRef: flavor } }, { status: 'RESIZE', 'OS-EXT-STS:task_state': 'resize_prep' }, { status: 'ACTIVE' });
    expect(settled.flavor.id).toBe(flavor);
  });

  it('SHUTOFF: RESIZE, then SHUTOFF again', async () => {
    const { id } = await h.serverNamed('batch-01');
    const settled = await transition(id, { resize: { flavorRef: await h.flavorId('c2.c8m8') } }, { status: 'RESIZE' }, { status: 'SHUTOFF' });
    expect(settled.flavor.id).toBe(await h.flavorId('c2.c8m8'));
  });

  it('refused when PAUSED, ERROR or BUILD', async () => {
    const flavorRef = await h.flavorId('m2.c4m8');
    for (const status of ['PAUSED', 'ERROR', 'BUILD']) {
      const id = await h.addServer(status);
      const state = status === 'BUILD' ? 'building' : status.toLowerCase();
      expectConflict(await h.action(id, { resize: { flavorRef } }), 'resize', id, 'vm_state', state);
    }
  });

  it('refuses the same flavor, an unknown one, and u2 changes (NHN)', async () => {
    const web = await h.serverNamed('web-01');
    const bad = async (id: string, flavorRef: string, message: string) => {
      const answer = await h.action(id, { resize: { flavorRef } });
      expect(answer.status).toBe(400);
      expect(answer.body.badRequest.message).toBe(message);
    };
    await bad(web.id, web.flavor.id, 'When resizing, instances must change flavor!');
    await bad(web.id, 'nope', 'Unable to locate requested flavor.');
    await bad(web.id, await h.flavorId('u2.c2m4'), 'An instance cannot be resized to a U2 flavor.');
    await bad((await h.serverNamed('dev-u2')).id, await h.flavorId('u2.c2m4'), 'The flavor of a U2 instance cannot be changed.');
    expect((await h.action(web.id, { resize: {} })).body.badRequest.message).toBe("Invalid input for field/attribute resize. Value: {}. 'flavorRef' is a required property");
  });

  it('confirmResize is not needed: there is never a resize to confirm', async () => {
    const { id } = await h.serverNamed('web-01');
    const answer = await h.action(id, { confirmResize: null });
    expect(answer.body).toEqual({ badRequest: { code: 400, message: 'Instance has not been resized.' } });
  });
});

describe('createImage (allowed: active, stopped, paused, suspended; NHN: u2 only)', () => {
  it('ACTIVE u2: 202 with Location ending in the new image id; the image goes queued -> active', async () => {
    const { id } = await h.serverNamed('dev-u2');
    const answer = await h.action(id, { createImage: { name: 'dev-snapshot', metadata: { purpose: 'backup' } } });
    expectAccepted(answer);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${h.sim.url}/image/v2/images/[0-9a-f-]{36}$`));
    const imageId = location.split('/').at(-1)!;
    expect((await h.server(id))['OS-EXT-STS:task_state']).toBe('image_snapshot');
    const queued = (await h.image(`/v2/images/${imageId}`)).body;
    expect(queued).toMatchObject({ status: 'queued', name: 'dev-snapshot', visibility: 'private', owner: h.sim.tenantId, purpose: 'backup', size: null });
    await h.waitFor(id, (s) => task(s) === null && s.status === 'ACTIVE');
    const active = (await h.image(`/v2/images/${imageId}`)).body;
    expect(active.status).toBe('active');
    expect(shapeDifferences(active, sample('image-image-get-resp.json'), { extra: ['purpose', 'image_type', 'instance_uuid', 'base_image_ref', 'user_id'] })).toEqual([]);
  });

  it('allowed for u2 servers that are SHUTOFF, PAUSED or SUSPENDED (the state is kept)', async () => {
    for (const status of ['SHUTOFF', 'PAUSED', 'SUSPENDED']) {
      const id = await h.addServer(status, 'u2.c1m1');
      await transition(id, { createImage: { name: `snap-${status}` } }, { status, 'OS-EXT-STS:task_state': 'image_snapshot' }, { status });
    }
  });

  it('refused when BUILD or ERROR, and for a volume-backed (non-u2) server', async () => {
    const building = await h.addServer('BUILD', 'u2.c1m1');
    expectConflict(await h.action(building, { createImage: { name: 'x' } }), 'createImage', building, 'vm_state', 'building');
    const error = await h.addServer('ERROR', 'u2.c1m1');
    expectConflict(await h.action(error, { createImage: { name: 'x' } }), 'createImage', error, 'vm_state', 'error');
    const web = (await h.serverNamed('web-01')).id;
    const answer = await h.action(web, { createImage: { name: 'x' } });
    expect(answer.status).toBe(400);
    expect(answer.body.badRequest.message).toMatch(/only supported for U2 instances/);
  });

  it('validates name and metadata', async () => {
    const { id } = await h.serverNamed('dev-u2');
    expect((await h.action(id, { createImage: {} })).body.badRequest.message).toBe("Invalid input for field/attribute createImage. Value: {}. 'name' is a required property");
    expect((await h.action(id, { createImage: { name: 'x', metadata: { 'a/b': 'c' } } })).status).toBe(400);
  });
});

describe('addSecurityGroup and removeSecurityGroup (no state check)', () => {
  it('adds and removes a group, also on a SHUTOFF server', async () => {
    const { id } = await h.serverNamed('batch-01');
    expectAccepted(await h.action(id, { addSecurityGroup: { name: 'web' } }));
    expect((await h.server(id)).security_groups).toEqual([{ name: 'default' }, { name: 'web' }]);
    expectAccepted(await h.action(id, { removeSecurityGroup: { name: 'default' } }));
    expect((await h.server(id)).security_groups).toEqual([{ name: 'web' }]);
  });

  it('refuses unknown, duplicate, missing and blank groups, and a server without ports', async () => {
    const { id } = await h.serverNamed('web-01');
    const unknown = await h.action(id, { addSecurityGroup: { name: 'db' } });
    expect(unknown.body).toEqual({ itemNotFound: { code: 404, message: `Security group db is not found for project ${h.sim.tenantId}` } });
    expect((await h.action(id, { addSecurityGroup: { name: 'web' } })).status).toBe(400);
    const notThere = await h.action((await h.serverNamed('batch-01')).id, { removeSecurityGroup: { name: 'web' } });
    expect(notThere.status).toBe(404);
    expect(notThere.body.itemNotFound.message).toMatch(/^Security group web not associated with the instance /);
    expect((await h.action(id, { addSecurityGroup: { name: '  ' } })).body.badRequest.message).toBe('Security group name cannot be empty');
    expect((await h.action(id, { addSecurityGroup: {} })).status).toBe(400);
    const failed = (await h.serverNamed('build-failed')).id;
    expect((await h.action(failed, { addSecurityGroup: { name: 'web' } })).status).toBe(404);
  });
});

describe('shelve and unshelve (NHN: terminate and start a terminated instance)', () => {
  it('shelve ACTIVE -> SHELVED_OFFLOADED; unshelve -> ACTIVE', async () => {
    const { id } = await h.serverNamed('web-01');
    await transition(id, { shelve: null }, { 'OS-EXT-STS:task_state': 'shelving' }, { status: 'SHELVED_OFFLOADED', 'OS-EXT-STS:power_state': 4 });
    await transition(id, { unshelve: null }, { status: 'SHELVED_OFFLOADED', 'OS-EXT-STS:task_state': 'unshelving' }, { status: 'ACTIVE' });
  });

  it('shelve is refused in ERROR; unshelve unless shelved', async () => {
    const error = await h.addServer('ERROR');
    expectConflict(await h.action(error, { shelve: null }), 'shelve', error, 'vm_state', 'error');
    const { id } = await h.serverNamed('web-01');
    expectConflict(await h.action(id, { unshelve: null }), 'unshelve', id, 'vm_state', 'active');
  });
});

describe('any action', () => {
  it('answers 404 for an unknown server, 400 for an unknown action or an empty body', async () => {
    const missing = await h.action('aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec', { 'os-start': null });
    expect(missing.body).toEqual(sample('error-itemNotFound-server-resp.json'));
    const { id } = await h.serverNamed('web-01');
    expect((await h.action(id, { pause: null })).body).toEqual({ badRequest: { code: 400, message: 'There is no such action: pause' } });
    expect((await h.action(id, {})).body.badRequest.message).toBe('Malformed request body');
  });

  it('a server deleted during a task stays deleted', async () => {
    const { id } = await h.serverNamed('web-01');
    expectAccepted(await h.action(id, { 'os-stop': null }));
    expect((await h.compute('DELETE', `/servers/${id}`)).status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await h.compute('GET', `/servers/${id}`)).status).toBe(404);
  });
});
