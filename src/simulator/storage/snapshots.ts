// Cinder v2 snapshots (BS): GET /snapshots, /snapshots/detail (adds progress and project id),
// /snapshots/{id}, POST /snapshots (`force` for an in-use volume), DELETE /snapshots/{id}.
// creating -> available (progress "0%" -> "100%"), deleting -> gone, after the build delay.
// Status rules and messages: cinder/volume/api.py `_create_snapshot_in_db_validate` and
// `delete_snapshot`.

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import type { Snapshot } from '../state.js';
import { isoMicros } from '../time.js';
import { cinderPage, nextLinks } from './paging.js';
import { findVolume } from './volumes.js';

function snapshotNotFound(id: string): Error {
  return novaError(404, `Snapshot ${id} could not be found.`);
}

function snapshotDocument(snapshot: Snapshot, ctx: RequestContext, detail: boolean) {
  const document: Record<string, unknown> = {
    status: snapshot.status,
    description: snapshot.description,
    created_at: isoMicros(snapshot.createdAt),
    metadata: { ...snapshot.metadata },
    volume_id: snapshot.volumeId,
    size: snapshot.sizeGb,
    id: snapshot.id,
    name: snapshot.name,
  };
  if (detail) {
    document['os-extended-snapshot-attributes:progress'] = snapshot.progress;
    document['os-extended-snapshot-attributes:project_id'] = ctx.tenant.id;
  }
  return document;
}

const SORT_KEYS: Record<string, (s: Snapshot) => string | number | null> = {
  created_at: (s) => s.createdAt,
  id: (s) => s.id,
  name: (s) => s.name,
  size: (s) => s.sizeGb,
  status: (s) => s.status,
};

function listSnapshots(ctx: RequestContext, detail: boolean): Reply {
  let snapshots = [...ctx.tenant.snapshots.values()];
  // Cinder's snapshot list filters (volume_id, status, name) apply before paging.
  for (const [param, read] of [['volume_id', (s: Snapshot) => s.volumeId], ['status', (s: Snapshot) => s.status], ['name', (s: Snapshot) => s.name]] as const) {
    const wanted = ctx.query.get(param);
    if (wanted !== null) snapshots = snapshots.filter((s) => read(s) === wanted);
  }
  const { page, nextMarker } = cinderPage(snapshots, ctx.query, SORT_KEYS, snapshotNotFound);
  const body: Record<string, unknown> = { snapshots: page.map((s) => snapshotDocument(s, ctx, detail)) };
  const links = nextLinks(`${ctx.roots.volume}/snapshots${detail ? '/detail' : ''}`, ctx.query, nextMarker);
  if (links) body.snapshots_links = links;
  return jsonReply(200, body);
}

function findSnapshot(ctx: RequestContext): Snapshot {
  const snapshot = ctx.tenant.snapshots.get(ctx.params[0]!);
  if (!snapshot) throw snapshotNotFound(ctx.params[0]!);
  return snapshot;
}

function showSnapshot(ctx: RequestContext): Reply {
  return jsonReply(200, { snapshot: snapshotDocument(findSnapshot(ctx), ctx, true) });
}

function textField(fields: Record<string, unknown>, key: string): string | null {
  const value = fields[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw novaError(400, `Invalid input received: ${key} must be a string.`);
  if (value.length > 255) throw novaError(400, `Invalid input received: ${key} has more than 255 characters.`);
  return value;
}

/** oslo strutils.bool_from_string(strict=True), as Cinder reads `force`. */
function forceFlag(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  const text = String(value).toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(text)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(text)) return false;
  throw novaError(400, `Invalid value '${String(value)}' for force.`);
}

function createSnapshot(ctx: RequestContext): Reply {
  const root = ctx.body as Record<string, unknown> | undefined;
  const fields = root?.snapshot;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw novaError(400, "Missing required element 'snapshot' in request body.");
  }
  const request = fields as Record<string, unknown>;
  const volumeId = request.volume_id;
  if (typeof volumeId !== 'string' || volumeId === '') throw novaError(400, "Invalid input received: 'volume_id' must be specified");
  const force = forceFlag(request.force);
  const name = textField(request, 'name');
  const description = textField(request, 'description');
  const volume = findVolume(ctx.tenant, volumeId);
  const valid = force ? ['available', 'in-use'] : ['available'];
  if (!valid.includes(volume.status)) {
    throw novaError(
      400,
      `Invalid volume: Volume ${volume.id} status must be ${valid.join(', ')}, but current status is: ${volume.status}.`,
    );
  }
  const snapshot: Snapshot = {
    id: ctx.world.ids.uuid(),
    name,
    description,
    volumeId: volume.id,
    sizeGb: volume.sizeGb,
    status: 'creating',
    progress: '0%',
    createdAt: ctx.now,
    metadata: {},
  };
  ctx.tenant.snapshots.set(snapshot.id, snapshot);
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, () => {
    if (snapshot.status !== 'creating') return;
    snapshot.status = 'available';
    snapshot.progress = '100%';
  });
  return jsonReply(202, { snapshot: snapshotDocument(snapshot, ctx, false) });
}

function deleteSnapshot(ctx: RequestContext): Reply {
  const snapshot = findSnapshot(ctx);
  if (snapshot.status !== 'available' && snapshot.status !== 'error') {
    throw novaError(400, 'Invalid snapshot: Snapshot status must be available or error and must not be part of a group.');
  }
  snapshot.status = 'deleting';
  ctx.world.scheduler.schedule(ctx.now + ctx.world.buildDelayMs, () => {
    if (ctx.tenant.snapshots.get(snapshot.id) === snapshot) ctx.tenant.snapshots.delete(snapshot.id);
  });
  return emptyReply(202);
}

export const snapshotRoutes: Route[] = [
  { method: 'GET', template: '/snapshots', handler: (ctx) => listSnapshots(ctx, false) },
  { method: 'GET', template: '/snapshots/detail', handler: (ctx) => listSnapshots(ctx, true) },
  { method: 'POST', template: '/snapshots', handler: createSnapshot },
  { method: 'GET', template: '/snapshots/{id}', handler: showSnapshot },
  { method: 'DELETE', template: '/snapshots/{id}', handler: deleteSnapshot },
];
