// Volume: Cinder v2 block storage volumes, a federation entity keyed by id; the `volumes` connection
// over Cinder's `limit` and `marker`, and the volume mutations (create, rename, extend, delete).
// Cinder answers create and rename with the volume, extend and delete with 202 and no body.

import { UpstreamError } from '../../upstream/errors.js';
import type { CinderCreateVolume } from '../../upstream/types.js';
import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { badUserInput } from '../errors.js';
import { LOADER_OPTIONS, loadVolumes } from '../loaders.js';
import { type Volume, toVolume } from './volume-mapping.js';
import { markerPage } from '../marker-paging.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeMarkerCursor,
  pageSize,
  uuid,
  volumeSize,
  volumeText,
  volumeTypeName,
  zoneName,
} from '../validation.js';

export const VolumeRef = builder.loadableObjectRef<Volume | null, string, string, Volume>('Volume', {
  load: (ids: string[], ctx: Context) => loadVolumes(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

VolumeRef.implement({
  description: 'A block storage volume (Cinder v2).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The volume UUID.' }),
    name: t.exposeString('name', { nullable: true, description: 'The volume name; null when it has none.' }),
    size: t.exposeInt('size', { description: 'Size in GB.' }),
    status: t.exposeString('status', {
      description:
        'Cinder status: `creating`, `available`, `attaching`, `in-use`, `detaching`, `extending`, `deleting`, `reserved` (the root of a terminated, i.e. shelved, server), `error`, ...',
    }),
    volumeType: t.exposeString('volumeType', {
      nullable: true,
      description: 'The volume type name, for example `General HDD` or `General SSD`.',
    }),
    bootable: t.exposeBoolean('bootable', {
      description: 'Whether a server can boot from it (Cinder sends the string "true"/"false").',
    }),
    availabilityZone: t.exposeString('availabilityZone', {
      nullable: true,
      description: 'Its zone; a server must be in the same zone to attach it.',
    }),
    description: t.exposeString('description', { nullable: true, description: 'Free text (at most 255 characters); null when none.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'When it was created (Cinder sends no zone: UTC).' }),
    encrypted: t.exposeBoolean('encrypted', {
      nullable: true,
      description: 'Whether it was created with an encrypted type (Secure Key Manager key); null when not sent.',
    }),
    snapshotId: t.exposeID('snapshotId', { nullable: true, description: 'The snapshot it was created from; null when none.' }),
  }),
});

loadableEntity(VolumeRef, 'id', uuid);

queryById(
  'volume',
  VolumeRef,
  { field: 'One volume by id (`GET /volumes/{id}`); null when it does not exist.', id: 'The volume UUID.' },
  uuid,
);

// ---- volumes: the connection ---------------------------------------------------------------------

const CURSOR_KIND = 'volume';

const VolumeConnectionRef = builder.connectionObject(
  { type: VolumeRef, name: 'VolumeConnection', description: 'A page of volumes.' },
  { name: 'VolumeEdge', description: 'A volume and its cursor.' },
);

builder.queryField('volumes', (t) =>
  t.field({
    type: VolumeConnectionRef,
    description:
      'Volumes of the project, newest first, one page per call (`GET /volumes/detail`, Cinder `limit` and `marker`). `attachments` come with each volume; `snapshots` for the whole page cost one `GET /snapshots/detail`.',
    args: {
      first: t.arg.int({
        description: `Page size: 1 to the configured maximum (LIMIT_MAX_PAGE_SIZE, at most 1000); ${DEFAULT_PAGE_SIZE} when omitted.`,
      }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: async (_root, args, ctx) => {
      const limit = pageSize(args.first, ctx.limits.maxPageSize);
      const marker = args.after ? decodeMarkerCursor(CURSOR_KIND, args.after) : undefined;
      const page = await ctx.session().volume.listVolumes({ limit, marker });
      return markerPage(CURSOR_KIND, { nodes: page.volumes.map(toVolume), nextMarker: page.nextMarker, after: args.after }, VolumeRef.getDataloader(ctx));
    },
  }),
);

// ---- mutations -------------------------------------------------------------------------------------

/** The volume as it stands now, read past the request's loader (which may hold the state before a change). */
export async function currentVolume(ctx: Context, id: string): Promise<Volume> {
  const raw = await ctx.session().volume.getVolume(id);
  if (raw === null) throw new UpstreamError({ service: 'volume', kind: 'http', status: 404, message: `Volume ${id} could not be found.` });
  const volume = toVolume(raw);
  VolumeRef.getDataloader(ctx).clear(id).prime(id, volume);
  return volume;
}

function primed(ctx: Context, volume: Volume): Volume {
  VolumeRef.getDataloader(ctx).clear(volume.id).prime(volume.id, volume);
  return volume;
}

const CreateVolumeInputRef = builder.inputType('CreateVolumeInput', {
  description: 'A new volume (`POST /volumes`). It comes back `creating` and turns `available` shortly after.',
  fields: (t) => ({
    size: t.int({ required: true, description: 'GB (at least 1; from a snapshot, at least the snapshot\'s size).', validate: volumeSize }),
    name: t.string({ description: 'At most 255 characters.', validate: volumeText }),
    description: t.string({ description: 'At most 255 characters.', validate: volumeText }),
    volumeType: t.string({
      description: 'A volume type name; the upstream default when omitted (NHN: `General HDD`). See `volumeTypes`.',
      validate: volumeTypeName,
    }),
    availabilityZone: t.string({
      description: 'The zone, e.g. `kr-pub-a`; a server attaches only volumes of its own zone. From a snapshot: the snapshot\'s zone.',
      validate: zoneName,
    }),
    snapshotId: t.id({ description: 'Create from this snapshot (size at least the snapshot\'s).', validate: uuid }),
  }),
});

builder.mutationFields((t) => {
  const idArg = () => t.arg.id({ required: true, description: 'The volume UUID.', validate: uuid });
  return {
    createVolume: t.field({
      type: VolumeRef,
      description: 'Creates a volume (`POST /volumes`), blank or from a snapshot; returned `creating`, `available` shortly after.',
      args: { input: t.arg({ type: CreateVolumeInputRef, required: true, description: 'The new volume.' }) },
      resolve: async (_root, { input }, ctx) => {
        const body: CinderCreateVolume = { size: input.size };
        if (input.name != null) body.name = input.name;
        if (input.description != null) body.description = input.description;
        if (input.volumeType != null) body.volume_type = input.volumeType;
        if (input.availabilityZone != null) body.availability_zone = input.availabilityZone;
        if (input.snapshotId != null) body.snapshot_id = String(input.snapshotId);
        return primed(ctx, toVolume(await ctx.session().volume.createVolume(body)));
      },
    }),
    updateVolume: t.field({
      type: VolumeRef,
      description: 'Renames a volume or changes its description (`PUT /volumes/{id}`).',
      args: {
        id: idArg(),
        name: t.arg.string({ description: 'The new name (at most 255 characters).', validate: volumeText }),
        description: t.arg.string({ description: 'The new description (at most 255 characters).', validate: volumeText }),
      },
      resolve: async (_root, { id, name, description }, ctx) => {
        if (name == null && description == null) throw badUserInput('name', 'give a new name, a new description, or both');
        const changes: { name?: string; description?: string } = {};
        if (name != null) changes.name = name;
        if (description != null) changes.description = description;
        return primed(ctx, toVolume(await ctx.session().volume.updateVolume(String(id), changes)));
      },
    }),
    extendVolume: t.field({
      type: VolumeRef,
      description:
        'Grows a volume to size GB (`os-extend`; never shrinks; the volume must be detached, i.e. `available`). Returned as it stands: `extending`, then `available` at the new size.',
      args: {
        id: idArg(),
        size: t.arg.int({ required: true, description: 'The new size in GB, larger than the current one.', validate: volumeSize }),
      },
      resolve: async (_root, { id, size }, ctx) => {
        await ctx.session().volume.extendVolume(String(id), size);
        return currentVolume(ctx, String(id));
      },
    }),
    deleteVolume: t.id({
      description:
        'Deletes a volume (`DELETE /volumes/{id}`); refused while it is attached, has snapshots, or is not `available`/`error`. Returns the id of the deleted volume.',
      args: { id: idArg() },
      resolve: async (_root, { id }, ctx) => {
        await ctx.session().volume.deleteVolume(String(id));
        VolumeRef.getDataloader(ctx).clear(String(id));
        return String(id);
      },
    }),
  };
});
