// /servers/{id}/os-volume_attachments: list (limit, offset), show, attach (200 with the attachment
// on v2) and detach (202). Both sides change: the server's volumes_attached at once (Nova writes
// the block device mapping first), the Cinder volume through attaching/detaching after the delay.

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import type { Server, Volume } from '../state.js';
import { checkPattern, checkType, checkUuid, invalidQuery, requireKey, requireObject } from '../validation.js';
import { STATE_RULES, checkState } from './lifecycle.js';
import { findServer } from './lookup.js';
import { MAX_LIMIT } from './paging.js';
import { nextDeviceName } from './provision.js';

function attachmentView(server: Server, volumeId: string, device: string) {
  return { device, id: volumeId, serverId: server.id, volumeId };
}

/** parameter_types.non_negative_integer in a query schema. */
export function nonNegative(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^[0-9]+$/.test(raw)) throw invalidQuery(name, raw, `'${raw}' does not match '^[0-9]*$'`);
  return Number(raw);
}

function listAttachments(ctx: RequestContext): Reply {
  const limit = nonNegative(ctx.query, 'limit');
  const offset = nonNegative(ctx.query, 'offset') ?? 0;
  const server = findServer(ctx.tenant, ctx.params[0]!);
  // common.limited: a limit of 0 (or none) means max_limit.
  const size = Math.min(limit || MAX_LIMIT, MAX_LIMIT);
  const page = server.volumes.slice(offset, offset + size);
  return jsonReply(200, { volumeAttachments: page.map((v) => attachmentView(server, v.volumeId, v.device)) });
}

function attachedVolume(server: Server, volumeId: string) {
  const attached = server.volumes.find((v) => v.volumeId === volumeId);
  if (!attached) throw novaError(404, `Instance ${server.id} is not attached to volume ${volumeId}`);
  return attached;
}

function showAttachment(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  const attached = attachedVolume(server, ctx.params[1]!);
  return jsonReply(200, { volumeAttachment: attachmentView(server, attached.volumeId, attached.device) });
}

function invalidVolume(reason: string) {
  return novaError(400, `Invalid volume: ${reason}`);
}

function checkAttachable(server: Server, volume: Volume): void {
  if (volume.status !== 'available') {
    throw invalidVolume(`volume '${volume.id}' status must be 'available'. Currently in '${volume.status}'`);
  }
  if (volume.zone !== server.zone) {
    throw invalidVolume(
      `Instance ${server.id} and volume ${volume.id} are not in the same availability_zone. Instance is in ${server.zone}. Volume is in ${volume.zone}`,
    );
  }
}

function attachVolume(ctx: RequestContext): Reply {
  const root = requireObject([], ctx.body);
  const request = requireObject(['volumeAttachment'], requireKey([], root, 'volumeAttachment'));
  const volumeId = checkUuid(['volumeAttachment', 'volumeId'], requireKey(['volumeAttachment'], request, 'volumeId'));
  const wantedDevice = request.device ?? null;
  if (wantedDevice !== null) {
    checkType(['volumeAttachment', 'device'], wantedDevice, ['string', 'null']);
    const pattern = '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$';
    checkPattern(['volumeAttachment', 'device'], wantedDevice as string, new RegExp(pattern), pattern);
  }
  const server = findServer(ctx.tenant, ctx.params[0]!);
  checkState(server, 'attach_volume', STATE_RULES.volume);
  const volume = ctx.tenant.volumes.get(volumeId);
  if (!volume) throw novaError(404, `Volume ${volumeId} could not be found.`);
  checkAttachable(server, volume);
  if (wantedDevice !== null && server.volumes.some((v) => v.device === wantedDevice)) {
    throw novaError(409, `The supplied device path (${wantedDevice}) is in use.`);
  }
  const device = (wantedDevice as string | null) ?? nextDeviceName(server);
  server.volumes.push({ volumeId, device });
  // Attachments are block_device_mapping rows: the instance row (and `updated`) stays as it was.
  ctx.tenant.changed(server);
  volume.status = 'attaching';
  const attachmentId = ctx.world.ids.uuid();
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, (at) => {
    if (!server.volumes.some((v) => v.volumeId === volumeId) || volume.status !== 'attaching') return;
    volume.status = 'in-use';
    volume.attachment = { serverId: server.id, device, attachmentId, attachedAt: at };
  });
  return jsonReply(200, { volumeAttachment: attachmentView(server, volumeId, device) });
}

function detachVolume(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  const attached = attachedVolume(server, ctx.params[1]!);
  if (attached.device === '/dev/vda') throw novaError(400, 'Cannot detach a root device volume');
  checkState(server, 'detach_volume', STATE_RULES.volume);
  const volume = ctx.tenant.volumes.get(attached.volumeId);
  if (volume && volume.status !== 'in-use') {
    throw invalidVolume(`volume '${volume.id}' status must be 'in-use'. Currently in '${volume.status}'`);
  }
  if (volume) volume.status = 'detaching';
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, (at) => {
    if (ctx.tenant.servers.get(server.id) !== server) return;
    server.volumes = server.volumes.filter((v) => v.volumeId !== attached.volumeId);
    ctx.tenant.changed(server);
    if (volume) {
      volume.status = 'available';
      volume.attachment = null;
    }
  });
  return emptyReply(202);
}

export const volumeAttachmentRoutes: Route[] = [
  { method: 'GET', template: '/servers/{id}/os-volume_attachments', handler: listAttachments },
  { method: 'POST', template: '/servers/{id}/os-volume_attachments', handler: attachVolume },
  { method: 'GET', template: '/servers/{id}/os-volume_attachments/{id}', handler: showAttachment },
  { method: 'DELETE', template: '/servers/{id}/os-volume_attachments/{id}', handler: detachVolume },
];
