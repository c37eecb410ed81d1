// Cinder v2 volumes as NHN serves them (BS; bodies in the shape of nhn/volume-volume-get-resp.json:
// `bootable` is the string "true"/"false", created_at has no zone):
//   GET /volumes and /volumes/detail (limit, marker, offset, sort), GET /volumes/{id},
//   POST /volumes (type by name or id, from a snapshot), PUT /volumes/{id} (name, description),
//   DELETE /volumes/{id}, POST /volumes/{id}/action with os-extend.
// A volume passes through creating -> available, extending -> available, deleting -> gone (after the
// build delay); attaching -> in-use and detaching -> available are driven by Nova's attach and detach,
// and `reserved` (the root of a shelved server) is set by compute. The status is a plain field any of
// them sets; the rules here read it, never assume who set it.

import type { RequestContext, Route, ServiceRoots } from '../context.js';
import { novaError } from '../errors.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import type { Tenant, Volume } from '../state.js';
import { isoMicros } from '../time.js';
import { cinderPage, nextLinks } from './paging.js';
import { DEFAULT_VOLUME_TYPE, findVolumeType } from './volume-types.js';

/** The statuses Cinder deletes a volume from without `force` (cinder/volume/api.py delete). */
const DELETABLE = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];
const DELETE_REFUSED =
  `Invalid volume: Volume status must be ${DELETABLE.join(' or ')} and must not be migrating, attached, belong to a group, ` +
  'have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.';

export function volumeNotFound(id: string): Error {
  return novaError(404, `Volume ${id} could not be found.`);
}

export function findVolume(tenant: Tenant, id: string): Volume {
  const volume = tenant.volumes.get(id);
  if (!volume) throw volumeNotFound(id);
  return volume;
}

function invalidInput(reason: string): Error {
  return novaError(400, `Invalid input received: ${reason}`);
}

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
    encrypted: volume.encrypted ?? false,
    'os-volume-replication:extended_status': null,
    volume_type: volume.volumeType,
    snapshot_id: volume.snapshotId ?? null,
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

const SORT_KEYS: Record<string, (v: Volume) => string | number | null> = {
  created_at: (v) => v.createdAt,
  id: (v) => v.id,
  name: (v) => v.name,
  size: (v) => v.sizeGb,
  status: (v) => v.status,
  availability_zone: (v) => v.zone,
  bootable: (v) => (v.bootable ? 1 : 0),
};

function listVolumes(ctx: RequestContext, detail: boolean): Reply {
  const { page, nextMarker } = cinderPage([...ctx.tenant.volumes.values()], ctx.query, SORT_KEYS, volumeNotFound);
  const body: Record<string, unknown> = {
    volumes: page.map((v) => (detail ? volumeDetail(v, ctx) : { id: v.id, links: volumeLinks(ctx.roots, v.id), name: v.name })),
  };
  const links = nextLinks(`${ctx.roots.volume}/volumes${detail ? '/detail' : ''}`, ctx.query, nextMarker);
  if (links) body.volumes_links = links;
  return jsonReply(200, body);
}

function showVolume(ctx: RequestContext): Reply {
  return jsonReply(200, { volume: volumeDetail(findVolume(ctx.tenant, ctx.params[0]!), ctx) });
}

function body(ctx: RequestContext, key: string): Record<string, unknown> {
  const root = ctx.body;
  const value = typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw novaError(400, `Missing required element '${key}' in request body.`);
  }
  return value as Record<string, unknown>;
}

function optionalText(fields: Record<string, unknown>, key: string): string | null | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  if (value !== null && typeof value !== 'string') throw invalidInput(`${key} must be a string.`);
  if (typeof value === 'string' && value.length > 255) throw invalidInput(`${key} has more than 255 characters.`);
  return value;
}

/** Cinder's create flow: size rules (ExtractVolumeRequestTask), the type, the snapshot, the zone. */
function createVolume(ctx: RequestContext): Reply {
  const fields = body(ctx, 'volume');
  const snapshotId = fields.snapshot_id ?? null;
  const snapshot = typeof snapshotId === 'string' ? ctx.tenant.snapshots.get(snapshotId) : undefined;
  if (snapshotId !== null && snapshot === undefined) throw novaError(404, `Snapshot ${String(snapshotId)} could not be found.`);
  if (snapshot && snapshot.status !== 'available') {
    throw novaError(400, "Invalid snapshot: Originating snapshot status must be one of 'available' values");
  }
  // Without a size, a volume from a snapshot takes the snapshot's.
  const size = fields.size ?? snapshot?.sizeGb;
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
    throw invalidInput(`Volume size '${String(size)}' must be an integer and greater than 0`);
  }
  if (snapshot && size < snapshot.sizeGb) {
    throw invalidInput(
      `Volume size '${size}'GB cannot be smaller than the snapshot size ${snapshot.sizeGb}GB. They must be >= original snapshot size.`,
    );
  }
  const name = optionalText(fields, 'name') ?? null;
  const description = optionalText(fields, 'description') ?? null;
  const source = snapshot ? ctx.tenant.volumes.get(snapshot.volumeId) : undefined;
  const typeName = fields.volume_type;
  if (typeName !== undefined && typeName !== null && typeof typeName !== 'string') throw invalidInput('volume_type must be a string.');
  // From a snapshot, Cinder keeps the source volume's type unless one is named.
  const type = typeof typeName === 'string' ? findVolumeType(typeName) : source ? findVolumeType(source.volumeType) : DEFAULT_VOLUME_TYPE;
  if (type.encrypted) {
    // NHN: an encrypted type needs a Secure Key Manager key (TF, BS console); the wording is not verified.
    const encryption = fields.nhn_encryption as Record<string, unknown> | undefined;
    if (typeof encryption?.skm_appkey !== 'string' || typeof encryption.skm_key_id !== 'string') {
      throw invalidInput(`nhn_encryption with skm_appkey and skm_key_id is required for volume type ${type.name}.`);
    }
  }
  const zoneField = fields.availability_zone;
  if (zoneField !== undefined && zoneField !== null && typeof zoneField !== 'string') throw invalidInput('availability_zone must be a string.');
  const zone = typeof zoneField === 'string' ? zoneField : (source?.zone ?? 'kr-pub-a');
  if (!['kr-pub-a', 'kr-pub-b'].includes(zone)) throw invalidInput(`Availability zone '${zone}' is invalid.`);
  if (source && zone !== source.zone) throw invalidInput('Volume must be in the same availability zone as the snapshot');
  const metadata = fields.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw invalidInput('metadata must be an object.');
  const volume: Volume = {
    id: ctx.world.ids.uuid(),
    name,
    description,
    sizeGb: size,
    status: 'creating',
    zone,
    volumeType: type.name,
    bootable: source?.bootable ?? false,
    createdAt: ctx.now,
    userId: ctx.tenant.account.userId,
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, String(v)])),
    attachment: null,
    deleteOnTermination: false,
    snapshotId: snapshot?.id ?? null,
    encrypted: type.encrypted,
  };
  ctx.tenant.volumes.set(volume.id, volume);
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, () => {
    if (volume.status === 'creating') volume.status = 'available';
  });
  return jsonReply(202, { volume: volumeDetail(volume, ctx) });
}

/** PUT /volumes/{id}: name and description (upstream Cinder; not verified on NHN). */
function updateVolume(ctx: RequestContext): Reply {
  const fields = body(ctx, 'volume');
  const volume = findVolume(ctx.tenant, ctx.params[0]!);
  const name = optionalText(fields, 'name');
  const description = optionalText(fields, 'description');
  // Cinder v2 also takes display_name / display_description; without any of them the body is refused.
  if (name === undefined && description === undefined && fields.metadata === undefined) {
    throw novaError(400, 'Invalid input received: At least one of name, description or metadata must be specified.');
  }
  if (name !== undefined) volume.name = name;
  if (description !== undefined) volume.description = description;
  return jsonReply(200, { volume: volumeDetail(volume, ctx) });
}

function deleteVolume(ctx: RequestContext): Reply {
  const volume = findVolume(ctx.tenant, ctx.params[0]!);
  const hasSnapshots = [...ctx.tenant.snapshots.values()].some((s) => s.volumeId === volume.id);
  if (!DELETABLE.includes(volume.status) || volume.attachment !== null || hasSnapshots) throw novaError(400, DELETE_REFUSED);
  volume.status = 'deleting';
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, () => {
    if (ctx.tenant.volumes.get(volume.id) === volume && volume.status === 'deleting') ctx.tenant.volumes.delete(volume.id);
  });
  return emptyReply(202);
}

/** os-extend on /v2: only an `available` volume (in-use needs 3.42), only to a larger size. */
function extendVolume(ctx: RequestContext, volume: Volume, args: unknown): Reply {
  const newSize = typeof args === 'object' && args !== null ? (args as Record<string, unknown>).new_size : undefined;
  if (newSize === undefined) throw novaError(400, "Missing required element 'new_size' in request body.");
  const size = typeof newSize === 'string' && /^\d+$/.test(newSize) ? Number(newSize) : newSize;
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
    throw invalidInput(`new_size must be an integer and greater than 0`);
  }
  if (size <= volume.sizeGb) {
    throw invalidInput(`New size for extend must be greater than current size. (current: ${volume.sizeGb}, extended: ${size}).`);
  }
  if (volume.status !== 'available') {
    throw novaError(400, `Invalid volume: Volume ${volume.id} status must be 'available' to extend, currently ${volume.status}.`);
  }
  volume.status = 'extending';
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, () => {
    if (volume.status !== 'extending') return;
    volume.sizeGb = size;
    volume.status = 'available';
  });
  return emptyReply(202);
}

function volumeAction(ctx: RequestContext): Reply {
  const root = ctx.body;
  if (typeof root !== 'object' || root === null || Array.isArray(root) || Object.keys(root).length !== 1) {
    throw novaError(400, 'Malformed request body');
  }
  const [action, args] = Object.entries(root)[0]!;
  const volume = findVolume(ctx.tenant, ctx.params[0]!);
  if (action === 'os-extend') return extendVolume(ctx, volume, args);
  throw novaError(400, `There is no such action: ${action}`);
}

export const volumeRoutes: Route[] = [
  { method: 'GET', template: '/volumes', handler: (ctx) => listVolumes(ctx, false) },
  { method: 'GET', template: '/volumes/detail', handler: (ctx) => listVolumes(ctx, true) },
  { method: 'POST', template: '/volumes', handler: createVolume },
  { method: 'GET', template: '/volumes/{id}', handler: showVolume },
  { method: 'PUT', template: '/volumes/{id}', handler: updateVolume },
  { method: 'DELETE', template: '/volumes/{id}', handler: deleteVolume },
  { method: 'POST', template: '/volumes/{id}/action', handler: volumeAction },
];
