// VolumeSnapshot: Cinder snapshots (`/snapshots`), a federation entity keyed by id, with
// `Volume.snapshots` (one `GET /snapshots/detail` per request for every volume asked about) and
// `VolumeSnapshot.volume` (through the volume loader).

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { LOADER_OPTIONS, loadVolumeSnapshots, snapshotsByVolume } from '../loaders.js';
import { type VolumeSnapshot, toVolumeSnapshot } from './volume-snapshot-mapping.js';
import { uuid, volumeText } from '../validation.js';
import { VolumeRef } from './volume.js';

export const VolumeSnapshotRef = builder.loadableObjectRef<VolumeSnapshot | null, string, string, VolumeSnapshot>('VolumeSnapshot', {
  load: (ids: string[], ctx: Context) => loadVolumeSnapshots(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

VolumeSnapshotRef.implement({
  description: 'A point-in-time copy of a volume (Cinder snapshot); a new volume can be created from it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The snapshot UUID.' }),
    name: t.exposeString('name', { nullable: true, description: 'The snapshot name; null when it has none.' }),
    description: t.exposeString('description', { nullable: true, description: 'Free text; null when none.' }),
    size: t.exposeInt('size', { description: 'GB: the size of the volume when it was taken.' }),
    status: t.exposeString('status', {
      description: 'Cinder status: `creating`, `available`, `deleting`, `error`, `error_deleting`, `backing-up`, `restoring`, ...',
    }),
    volumeId: t.exposeID('volumeId', { description: 'The UUID of the volume it copies.' }),
    volume: t.field({
      type: VolumeRef,
      nullable: true,
      description: 'The volume it copies (through the request\'s volume loader: one `GET /volumes/{id}` per distinct volume); null when it is gone.',
      resolve: (snapshot) => snapshot.volumeId || null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'When it was taken (Cinder sends no zone: UTC).' }),
  }),
});

loadableEntity(VolumeSnapshotRef, 'id', uuid);

queryById(
  'volumeSnapshot',
  VolumeSnapshotRef,
  { field: 'One snapshot by id (`GET /snapshots/{id}`); null when it does not exist.', id: 'The snapshot UUID.' },
  uuid,
);

function primed(ctx: Context, snapshots: VolumeSnapshot[]): VolumeSnapshot[] {
  const loader = VolumeSnapshotRef.getDataloader(ctx);
  for (const snapshot of snapshots) loader.clear(snapshot.id).prime(snapshot.id, snapshot);
  return snapshots;
}

builder.queryField('volumeSnapshots', (t) =>
  t.field({
    type: [VolumeSnapshotRef],
    description: 'Every snapshot of the project, newest first (`GET /snapshots/detail`, all pages).',
    resolve: async (_root, _args, ctx) => primed(ctx, [...(await snapshotsByVolume(ctx)).values()].flat().sort(newestFirst)),
  }),
);

function newestFirst(a: VolumeSnapshot, b: VolumeSnapshot): number {
  return (b.createdAt ?? '').localeCompare(a.createdAt ?? '');
}

builder.objectField(VolumeRef, 'snapshots', (t) =>
  t.field({
    type: [VolumeSnapshotRef],
    nullable: true,
    description:
      'Its snapshots, newest first. All volumes of a request share one `GET /snapshots/detail`. Null when the snapshot list call fails (the volume still comes back).',
    resolve: async (volume, _args, ctx) => primed(ctx, [...((await snapshotsByVolume(ctx)).get(volume.id) ?? [])].sort(newestFirst)),
  }),
);

const CreateVolumeSnapshotInputRef = builder.inputType('CreateVolumeSnapshotInput', {
  description: 'A new snapshot (`POST /snapshots`). It comes back `creating` and turns `available` shortly after.',
  fields: (t) => ({
    volumeId: t.id({ required: true, description: 'The volume to snapshot.', validate: uuid }),
    name: t.string({ description: 'At most 255 characters.', validate: volumeText }),
    description: t.string({ description: 'At most 255 characters.', validate: volumeText }),
    force: t.boolean({ description: 'Snapshot an in-use volume (Cinder refuses one without `force`).' }),
  }),
});

builder.mutationFields((t) => ({
  createVolumeSnapshot: t.field({
    type: VolumeSnapshotRef,
    description: 'Snapshots a volume (`POST /snapshots`): `available` volumes, or `in-use` ones with `force`. Returned `creating`.',
    args: { input: t.arg({ type: CreateVolumeSnapshotInputRef, required: true, description: 'The new snapshot.' }) },
    resolve: async (_root, { input }, ctx) => {
      const body: { volume_id: string; name?: string; description?: string; force?: boolean } = { volume_id: String(input.volumeId) };
      if (input.name != null) body.name = input.name;
      if (input.description != null) body.description = input.description;
      if (input.force != null) body.force = input.force;
      const snapshot = toVolumeSnapshot(await ctx.session().volume.createSnapshot(body));
      return primed(ctx, [snapshot])[0]!;
    },
  }),
  deleteVolumeSnapshot: t.id({
    description: 'Deletes a snapshot (`DELETE /snapshots/{id}`); only `available` or `error` ones. Returns the id of the deleted snapshot.',
    args: { id: t.arg.id({ required: true, description: 'The snapshot UUID.', validate: uuid }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.session().volume.deleteSnapshot(String(id));
      VolumeSnapshotRef.getDataloader(ctx).clear(String(id));
      return String(id);
    },
  }),
}));
