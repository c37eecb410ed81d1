// VolumeAttachment: a volume attached to a server (Nova `os-volume_attachments`), with
// `Server.volumeAttachments` and the attach/detach mutations.

import { wakeWatcher } from './server-subscriptions.js';
import { builder } from '../builder.js';
import { LOADER_OPTIONS, loadVolumeAttachments } from '../loaders.js';
import { toVolumeAttachment, type VolumeAttachment } from './volume-attachment-mapping.js';
import { ServerRef } from './server.js';
import { devicePath, nonNegative, uuid } from '../validation.js';
import { VolumeRef } from '../storage/volume.js';

export const VolumeAttachmentRef = builder.objectRef<VolumeAttachment>('VolumeAttachment');

VolumeAttachmentRef.implement({
  description: "A volume attached to a server. NHN's list includes the root volume (`/dev/vda`).",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The attachment id; Nova uses the volume id.' }),
    device: t.exposeString('device', { nullable: true, description: 'The device path in the guest, e.g. `/dev/vdb`.' }),
    serverId: t.exposeID('serverId', { description: 'The server UUID.' }),
    volumeId: t.exposeID('volumeId', { description: 'The volume UUID.' }),
    server: t.field({
      type: ServerRef,
      nullable: true,
      description: 'The server (one `GET /servers/{id}` per distinct server in the request).',
      resolve: (a) => a.serverId,
    }),
    volume: t.field({
      type: VolumeRef,
      nullable: true,
      description: 'The volume (collected per request: one `GET /volumes/{id}` per distinct volume, in parallel).',
      resolve: (a) => a.volumeId,
    }),
  }),
});

/** The key of a DELETED server (a subscription's last event): no attachments, no upstream call. */
const DELETED_SERVER_KEY = 'deleted:';

builder.objectField(ServerRef, 'volumeAttachments', (t) =>
  t.loadableList({
    type: VolumeAttachmentRef,
    description: 'Volumes attached to the server, root volume included (`GET /servers/{id}/os-volume_attachments`).',
    byPath: true,
    loaderOptions: LOADER_OPTIONS,
    args: {
      limit: t.arg.int({ description: 'At most this many (Nova caps it at 1000).', validate: nonNegative }),
      offset: t.arg.int({ description: 'Skip this many.', validate: nonNegative }),
    },
    load: async (keys: string[], ctx, args) => {
      const live = keys.filter((key) => !key.startsWith(DELETED_SERVER_KEY));
      const loaded = await loadVolumeAttachments(live, ctx, { limit: args.limit ?? undefined, offset: args.offset ?? undefined });
      return keys.map((key) => (key.startsWith(DELETED_SERVER_KEY) ? [] : loaded[live.indexOf(key)]!));
    },
    resolve: (server) => (server.status === 'DELETED' ? `${DELETED_SERVER_KEY}${server.id}` : server.id),
  }),
);

builder.queryField('volumeAttachment', (t) =>
  t.field({
    type: VolumeAttachmentRef,
    nullable: true,
    description: 'One attachment (`GET /servers/{id}/os-volume_attachments/{volumeId}`); null when not attached.',
    args: {
      serverId: t.arg.id({ required: true, description: 'The server UUID.', validate: uuid }),
      volumeId: t.arg.id({ required: true, description: 'The volume UUID.', validate: uuid }),
    },
    resolve: async (_root, args, ctx) => {
      const raw = await ctx.session().compute.getVolumeAttachment(String(args.serverId), String(args.volumeId));
      return raw && toVolumeAttachment(raw, String(args.serverId));
    },
  }),
);

builder.mutationFields((t) => ({
  attachVolume: t.field({
    type: VolumeAttachmentRef,
    description: 'Attaches a volume of the same zone to a server (ACTIVE, SHUTOFF or PAUSED); 409 CONFLICT when busy.',
    args: {
      serverId: t.arg.id({ required: true, description: 'The server UUID.', validate: uuid }),
      volumeId: t.arg.id({ required: true, description: 'The volume UUID.', validate: uuid }),
      device: t.arg.string({ description: 'The device path to ask for, e.g. `/dev/vdb`; usually chosen by Nova.', validate: devicePath }),
    },
    resolve: async (_root, args, ctx) => {
      const serverId = String(args.serverId);
      const attached = await ctx.session().compute.attachVolume(serverId, {
        volumeId: String(args.volumeId),
        ...(args.device ? { device: args.device } : {}),
      });
      // Attachments live outside the instance row: `updated` does not move, so the watcher reads the server.
      wakeWatcher(ctx, serverId, 'reread');
      return toVolumeAttachment(attached, serverId);
    },
  }),
  detachVolume: t.id({
    description: 'Detaches a volume (not the root volume) from a server. Returns the id of the detached volume.',
    args: {
      serverId: t.arg.id({ required: true, description: 'The server UUID.', validate: uuid }),
      volumeId: t.arg.id({ required: true, description: 'The volume UUID.', validate: uuid }),
    },
    resolve: async (_root, args, ctx) => {
      await ctx.session().compute.detachVolume(String(args.serverId), String(args.volumeId));
      wakeWatcher(ctx, String(args.serverId), 'reread');
      return String(args.volumeId);
    },
  }),
}));

builder.objectField(VolumeRef, 'attachments', (t) =>
  t.field({
    type: [VolumeAttachmentRef],
    description: "The servers it is attached to, from the volume's own `attachments` (no further call); empty when detached.",
    resolve: (volume) => volume.attachments,
  }),
);
