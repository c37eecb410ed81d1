// Cinder v2 as NHN serves it: GET /volumes, /volumes/detail and /volumes/{id}, in the shape of
// nhn/volume-volume-get-resp.json (`bootable` is the string "true"/"false"; created_at has no zone).

import type { RequestContext, Route, ServiceRoots } from '../context.js';
import { novaError } from '../errors.js';
import { jsonReply, type Reply } from '../reply.js';
import type { Volume } from '../state.js';
import { isoMicros } from '../time.js';

function volumeLinks(roots: ServiceRoots, id: string) {
  return [
    { href: `${roots.volume}/volumes/${id}`, rel: 'self' },
    { href: `${roots.volumeBookmark}/volumes/${id}`, rel: 'bookmark' },
  ];
}

function attachments(volume: Volume, tenantId: string) {
  if (!volume.attachment) return [];
  const a = volume.attachment;
  return [
    {
      server_id: a.serverId,
      attachment_id: a.attachmentId,
      attached_at: isoMicros(a.attachedAt),
      host_name: null,
      volume_id: volume.id,
      device: a.device,
      id: volume.id,
      tenant_id: tenantId,
    },
  ];
}

function volumeDetail(volume: Volume, ctx: RequestContext) {
  return {
    attachments: attachments(volume, ctx.tenant.id),
    links: volumeLinks(ctx.roots, volume.id),
    availability_zone: volume.zone,
    encrypted: false,
    'os-volume-replication:extended_status': null,
    volume_type: volume.volumeType,
    snapshot_id: null,
    id: volume.id,
    size: volume.sizeGb,
    user_id: volume.userId,
    'os-vol-tenant-attr:tenant_id': ctx.tenant.id,
    metadata: { ...volume.metadata },
    status: volume.status,
    description: volume.description,
    multiattach: false,
    source_volid: null,
    consistencygroup_id: null,
    name: volume.name,
    bootable: volume.bootable ? 'true' : 'false',
    created_at: isoMicros(volume.createdAt),
    'os-volume-replication:driver_data': null,
    replication_status: 'disabled',
  };
}

/** Cinder lists newest first (sort created_at desc). */
function newestFirst(ctx: RequestContext): Volume[] {
  return [...ctx.tenant.volumes.values()].sort((a, b) => b.createdAt - a.createdAt);
}

function listVolumes(ctx: RequestContext, detail: boolean): Reply {
  const volumes = newestFirst(ctx);
  return jsonReply(200, {
    volumes: volumes.map((v) => (detail ? volumeDetail(v, ctx) : { id: v.id, links: volumeLinks(ctx.roots, v.id), name: v.name })),
  });
}

function showVolume(ctx: RequestContext): Reply {
  const volume = ctx.tenant.volumes.get(ctx.params[0]!);
  if (!volume) throw novaError(404, `Volume ${ctx.params[0]} could not be found.`);
  return jsonReply(200, { volume: volumeDetail(volume, ctx) });
}

export const volumeRoutes: Route[] = [
  { method: 'GET', template: '/volumes', handler: (ctx) => listVolumes(ctx, false) },
  { method: 'GET', template: '/volumes/detail', handler: (ctx) => listVolumes(ctx, true) },
  { method: 'GET', template: '/volumes/{id}', handler: showVolume },
];
