// POST /servers/{id}/action: start, stop, reboot, resize, createImage, add/removeSecurityGroup,
// shelve and unshelve (NHN's terminate / start terminated instance), confirmResize. Each answers 202
// without a body once Nova's state rule allows it (409 otherwise), and the server passes through the
// task state before it settles.

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { emptyReply, type Reply } from '../reply.js';
import type { Image, Server, Tenant } from '../state.js';
import { checkEnum, checkLength, checkMetadata, checkName, checkType, requireKey, requireObject, type Json } from '../validation.js';
import { STATE_RULES, checkState, runTask, setRunning, setStopped, type StateRule } from './lifecycle.js';
import { findServer, idFromHref } from './lookup.js';
import { chooseHost, groupOf, isGpuFlavor } from './placement.js';
import { hostIdOf, hostName } from './provision.js';

type Action = (ctx: RequestContext, args: unknown) => Reply;

/** Each action's schema runs before the server is looked up, as in Nova. */
function target(ctx: RequestContext): Server {
  return findServer(ctx.tenant, ctx.params[0]!);
}

function accepted(): Reply {
  return emptyReply(202);
}

/** The actions that only check the state and run one task: start, stop, shelve, unshelve. */
function stateChange(action: string, rule: StateRule, task: string, finish: (server: Server) => void): Action {
  return (ctx) => {
    const server = target(ctx);
    checkState(server, action, rule);
    runTask(ctx.world, ctx.tenant, server, task, ctx.now, finish);
    return accepted();
  };
}

const start = stateChange('start', STATE_RULES.start, 'powering-on', setRunning);
const stop = stateChange('stop', STATE_RULES.stop, 'powering-off', setStopped);

const reboot: Action = (ctx, args) => {
  const body = requireObject(['reboot'], args);
  const type = requireKey(['reboot'], body, 'type');
  checkEnum(['reboot', 'type'], type, ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']);
  const server = target(ctx);
  const hard = (type as string).toUpperCase() === 'HARD';
  checkState(server, 'reboot', hard ? STATE_RULES.rebootHard : STATE_RULES.rebootSoft);
  // A hard reboot powers the server on from any allowed state; status HARD_REBOOT shows while it runs.
  runTask(ctx.world, ctx.tenant, server, hard ? 'rebooting_hard' : 'rebooting', ctx.now, setRunning);
  return accepted();
};

const resize: Action = (ctx, args) => {
  const body = requireObject(['resize'], args);
  const flavorRef = requireKey(['resize'], body, 'flavorRef');
  checkType(['resize', 'flavorRef'], flavorRef, ['string', 'integer']);
  checkLength(['resize', 'flavorRef'], String(flavorRef), 1, Infinity);
  if (body['OS-DCF:diskConfig'] !== undefined) checkEnum(['resize', 'OS-DCF:diskConfig'], body['OS-DCF:diskConfig'], ['AUTO', 'MANUAL']);
  const server = target(ctx);
  checkState(server, 'resize', STATE_RULES.resize);
  const flavor = ctx.world.flavorsById.get(idFromHref(String(flavorRef)));
  if (!flavor) throw novaError(400, 'Unable to locate requested flavor.');
  if (flavor.id === server.flavorId) throw novaError(400, 'When resizing, instances must change flavor!');
  // NHN: u2 instances never change flavor, and the other families cannot become u2.
  const current = ctx.world.flavorsById.get(server.flavorId);
  if (current?.family === 'u2') throw novaError(400, 'The flavor of a U2 instance cannot be changed.');
  if (flavor.family === 'u2') throw novaError(400, 'An instance cannot be resized to a U2 flavor.');
  const image = ctx.world.images.get(server.imageId);
  if (image && flavor.ramMb < image.minRamMb) throw novaError(400, "Flavor's memory is too small for requested image.");
  // NHN confirms resizes itself: RESIZE, then straight back to the state the server was in.
  const wasRunning = server.vmState === 'active';
  runTask(ctx.world, ctx.tenant, server, 'resize_prep', ctx.now, (s) => {
    s.flavorId = flavor.id;
    if (wasRunning) setRunning(s);
    else setStopped(s);
  });
  return accepted();
};

const confirmResize: Action = () => {
  throw novaError(400, 'Instance has not been resized.');
};

function snapshotImage(ctx: RequestContext, server: Server, name: string, metadata: Record<string, string>): Image {
  const source = ctx.world.images.get(server.imageId);
  const flavor = ctx.world.flavorsById.get(server.flavorId)!;
  return {
    id: ctx.world.ids.uuid(),
    name,
    status: 'queued',
    visibility: 'private',
    owner: ctx.tenant.id,
    protected: false,
    minDiskGb: flavor.diskGb,
    minRamMb: source?.minRamMb ?? 0,
    sizeBytes: null,
    checksum: null,
    containerFormat: 'bare',
    diskFormat: 'qcow2',
    createdAt: ctx.now,
    updatedAt: ctx.now,
    // Nova copies the base image's properties into a snapshot and adds its own.
    properties: {
      ...source?.properties,
      image_type: 'snapshot',
      instance_uuid: server.id,
      base_image_ref: server.imageId,
      user_id: server.userId,
      ...metadata,
    },
  };
}

const createImage: Action = (ctx, args) => {
  const body = requireObject(['createImage'], args);
  const name = checkName(['createImage', 'name'], requireKey(['createImage'], body, 'name'));
  const metadata = body.metadata === undefined ? {} : checkMetadata(['createImage', 'metadata'], body.metadata);
  const server = target(ctx);
  // NHN images only u2 (local disk) instances this way; volume-backed ones go through Cinder.
  if (ctx.world.flavorsById.get(server.flavorId)?.family !== 'u2') {
    throw novaError(400, 'createImage is only supported for U2 instances; create an image of a volume-backed instance with the Block Storage os-volume_upload_image action.');
  }
  checkState(server, 'createImage', STATE_RULES.snapshot);
  const image = snapshotImage(ctx, server, name, metadata);
  ctx.world.images.set(image.id, image);
  runTask(ctx.world, ctx.tenant, server, 'image_snapshot', ctx.now);
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, (at) => {
    image.status = 'active';
    image.sizeBytes = 1_073_741_824;
    image.checksum = ctx.world.ids.hex(32);
    image.updatedAt = at;
  });
  // Nova points at Glance; a client should read only the last path segment (the image id).
  return emptyReply(202, { location: `${ctx.roots.image}/v2/images/${image.id}` });
};

function securityGroupName(action: string, args: unknown): string {
  const body = requireObject([action], args);
  const name = requireKey([action], body, 'name');
  checkType([action, 'name'], name, ['string']);
  checkLength([action, 'name'], name as string, 1, Infinity);
  if ((name as string).trim() === '') throw novaError(400, 'Security group name cannot be empty');
  return (name as string).trim();
}

function securityGroupTarget(ctx: RequestContext, name: string): Server {
  const server = target(ctx);
  if (!ctx.tenant.securityGroups.has(name)) throw novaError(404, `Security group ${name} is not found for project ${ctx.tenant.id}`);
  if (server.nics.length === 0) throw novaError(404, `instance_id ${server.id} could not be found as device id on any ports`);
  return server;
}

const addSecurityGroup: Action = (ctx, args) => {
  const name = securityGroupName('addSecurityGroup', args);
  const server = securityGroupTarget(ctx, name);
  if (server.securityGroups.includes(name)) throw novaError(400, `Security group ${name} is already associated with the instance ${server.id}`);
  server.securityGroups.push(name);
  // Security groups live on the Neutron ports: Nova's instance row (and `updated`) is untouched.
  ctx.tenant.changed(server);
  return accepted();
};

const removeSecurityGroup: Action = (ctx, args) => {
  const name = securityGroupName('removeSecurityGroup', args);
  const server = securityGroupTarget(ctx, name);
  if (!server.securityGroups.includes(name)) throw novaError(404, `Security group ${name} not associated with the instance ${server.id}`);
  server.securityGroups = server.securityGroups.filter((g) => g !== name);
  ctx.tenant.changed(server);
  return accepted();
};

/**
 * NHN's "terminate instance": Nova's shelve with an offload time of 0. Only from ACTIVE (NHN; Nova
 * also takes stopped, paused, suspended), never for GPU flavors (NHN console guide). The server shows
 * task `shelving`, then vm_state shelved with task `shelving_offloading`, then SHELVED_OFFLOADED: off
 * its host, powered off (Nova records the power state read before the guest is destroyed), its
 * volumes `reserved` in Cinder (NHN's block storage status table).
 */
const shelve: Action = (ctx) => {
  const server = target(ctx);
  checkState(server, 'shelve', STATE_RULES.shelve);
  if (isGpuFlavor(ctx.world.flavorsById.get(server.flavorId))) {
    throw novaError(409, `Cannot 'shelve' instance ${server.id}: GPU instances cannot be terminated.`);
  }
  const { world, tenant } = ctx;
  runTask(world, tenant, server, 'shelving', ctx.now, (shelving, at) => {
    shelving.vmState = 'shelved';
    shelving.powerState = 4;
    runTask(world, tenant, shelving, 'shelving_offloading', at, (offloading) => {
      offloading.vmState = 'shelved_offloaded';
      offloading.host = '';
      offloading.hostId = '';
      setVolumeStatus(tenant, offloading, 'reserved');
    });
  });
  return accepted();
};

/** Back to ACTIVE on a host the scheduler picks (respecting the server's placement policy). */
const unshelve: Action = (ctx) => {
  const server = target(ctx);
  checkState(server, 'unshelve', STATE_RULES.unshelve);
  const { tenant } = ctx;
  runTask(ctx.world, tenant, server, 'unshelving', ctx.now, (s) => {
    const host = chooseHost(ctx.world, tenant, s.zone, groupOf(tenant, s.id), s.id) ?? hostName(s.zone, 0);
    s.host = host;
    s.hostId = hostIdOf(tenant.id, host);
    setVolumeStatus(tenant, s, 'in-use');
    setRunning(s);
  });
  return accepted();
};

function setVolumeStatus(tenant: Tenant, server: Server, status: string): void {
  for (const { volumeId } of server.volumes) {
    const volume = tenant.volumes.get(volumeId);
    if (volume) volume.status = status;
  }
}

const ACTIONS: Record<string, Action> = {
  'os-start': start,
  'os-stop': stop,
  reboot,
  resize,
  confirmResize,
  createImage,
  addSecurityGroup,
  removeSecurityGroup,
  shelve,
  unshelve,
};

function serverAction(ctx: RequestContext): Reply {
  const body = ctx.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).length === 0) {
    throw novaError(400, 'Malformed request body');
  }
  const [name] = Object.keys(body);
  const action = ACTIONS[name!];
  if (!action) throw novaError(400, `There is no such action: ${name}`);
  return action(ctx, (body as Json)[name!]);
}

export const actionRoutes: Route[] = [{ method: 'POST', template: '/servers/{id}/action', handler: serverAction }];
