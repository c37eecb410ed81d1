// Mutations on an existing server. Nova answers actions with 202 and no body, so each one reads the
// server again afterwards and returns it as it stands (typically in a transitional task state).

import type { NovaServerAction } from '../../upstream/types.js';
import { builder, type Context } from '../builder.js';
import { missingFromUpstream } from '../errors.js';
import { DiskConfigEnum, RebootTypeEnum } from './enums.js';
import { ImageRef } from '../image/image.js';
import { MetadataEntryInputRef, toMetadataObject } from '../metadata.js';
import { currentServer, ServerRef } from './server.js';
import { wakeWatcher } from './server-subscriptions.js';
import type { WakeHint } from '../../live/watcher.js';
import { flavorId, metadataList, resourceName, securityGroupName, uuid } from '../validation.js';

async function act(ctx: Context, id: string, action: NovaServerAction, wake: WakeHint['reason'] = 'changed') {
  await ctx.session().compute.serverAction(id, action);
  wakeWatcher(ctx, id, wake);
  return currentServer(ctx, id);
}

/** Nova's createImage `Location` may name an internal Glance host: only its last segment is used. */
export function imageIdFromLocation(location: string | undefined): string {
  const id = location?.split(/[?#]/)[0]?.replace(/\/+$/, '').split('/').at(-1);
  if (!id) throw missingFromUpstream('compute', 'the Location of the new image');
  return id;
}

const CreateServerImagePayloadRef = builder.objectRef<{ imageId: string }>('CreateServerImagePayload').implement({
  description: 'The snapshot being made.',
  fields: (t) => ({
    imageId: t.exposeID('imageId', { description: 'The new image id (from the last segment of the `Location` header).' }),
    image: t.field({
      type: ImageRef,
      nullable: true,
      description: 'The new image as Glance shows it now (`queued` until `active`); null when not yet visible.',
      resolve: (payload) => payload.imageId,
    }),
  }),
});

builder.mutationFields((t) => {
  const idArg = () => t.arg.id({ required: true, description: 'The server UUID.', validate: uuid });
  const securityGroupField = (action: 'addSecurityGroup' | 'removeSecurityGroup', description: string) =>
    t.field({
      type: ServerRef,
      description,
      args: {
        serverId: idArg(),
        name: t.arg.string({ required: true, description: 'The security group name.', validate: securityGroupName }),
      },
      resolve: (_root, { serverId, name }, ctx) =>
        // Security groups live on the ports: `updated` does not move, so the watcher reads the server.
        act(ctx, String(serverId), action === 'addSecurityGroup' ? { addSecurityGroup: { name } } : { removeSecurityGroup: { name } }, 'reread'),
    });
  return {
    updateServer: t.field({
      type: ServerRef,
      description: 'Renames a server (`PUT /servers/{id}`).',
      args: {
        id: idArg(),
        name: t.arg.string({ required: true, description: 'The new name (1-255 printable characters).', validate: resourceName }),
      },
      resolve: async (_root, { id, name }, ctx) => {
        await ctx.session().compute.updateServer(String(id), { name });
        wakeWatcher(ctx, String(id), 'changed');
        return currentServer(ctx, String(id));
      },
    }),
    deleteServer: t.id({
      description: 'Deletes a server (`DELETE /servers/{id}`), in any state. Returns the id of the deleted server.',
      args: { id: idArg() },
      resolve: async (_root, { id }, ctx) => {
        await ctx.session().compute.deleteServer(String(id));
        wakeWatcher(ctx, String(id), 'deleted');
        return String(id);
      },
    }),
    startServer: t.field({
      type: ServerRef,
      description: 'Starts a SHUTOFF server (`os-start`); 409 CONFLICT in any other state.',
      args: { id: idArg() },
      resolve: (_root, { id }, ctx) => act(ctx, String(id), { 'os-start': null }),
    }),
    stopServer: t.field({
      type: ServerRef,
      description: 'Stops an ACTIVE or ERROR server (`os-stop`); 409 CONFLICT in any other state.',
      args: { id: idArg() },
      resolve: (_root, { id }, ctx) => act(ctx, String(id), { 'os-stop': null }),
    }),
    rebootServer: t.field({
      type: ServerRef,
      description: 'Reboots a server. SOFT needs ACTIVE; HARD also works from SHUTOFF, ERROR, PAUSED, SUSPENDED.',
      args: {
        id: idArg(),
        type: t.arg({ type: RebootTypeEnum, description: 'SOFT when omitted.' }),
      },
      resolve: (_root, { id, type }, ctx) => act(ctx, String(id), { reboot: { type: type ?? 'SOFT' } }),
    }),
    resizeServer: t.field({
      type: ServerRef,
      description:
        'Changes the flavor of an ACTIVE or SHUTOFF server (`resize`). NHN confirms by itself; u2 flavors cannot be resized.',
      args: {
        id: idArg(),
        flavorId: t.arg.id({ required: true, description: 'The new flavor id (must differ).', validate: flavorId }),
        diskConfig: t.arg({ type: DiskConfigEnum, description: 'Partitioning of the root disk; omit on NHN.' }),
      },
      resolve: (_root, { id, flavorId, diskConfig }, ctx) =>
        act(ctx, String(id), {
          resize: { flavorRef: String(flavorId), ...(diskConfig ? { 'OS-DCF:diskConfig': diskConfig } : {}) },
        }),
    }),
    createServerImage: t.field({
      type: CreateServerImagePayloadRef,
      description:
        'Snapshots a server into a new image (`createImage`); NHN allows it for u2 flavors, in ACTIVE, SHUTOFF, SUSPENDED or PAUSED.',
      args: {
        id: idArg(),
        name: t.arg.string({ required: true, description: 'The image name (1-255 printable characters).', validate: resourceName }),
        metadata: t.arg({
          type: [MetadataEntryInputRef],
          description: 'Image properties to set.',
          validate: metadataList,
        }),
      },
      resolve: async (_root, { id, name, metadata }, ctx) => {
        const session = ctx.session();
        const { location } = await session.compute.serverAction(String(id), {
          createImage: { name, ...(metadata ? { metadata: toMetadataObject(metadata) } : {}) },
        });
        session.image.invalidate();
        wakeWatcher(ctx, String(id), 'changed');
        return { imageId: imageIdFromLocation(location) };
      },
    }),
    shelveServer: t.field({
      type: ServerRef,
      description:
        "NHN's 'terminate instance' (Nova `shelve`): releases the compute, keeps the disks (still charged); only from ACTIVE, not for GPU flavors (CONFLICT otherwise). The server goes SHELVED_OFFLOADED; returns it as it stands (task `shelving`).",
      args: { id: idArg() },
      resolve: (_root, { id }, ctx) => act(ctx, String(id), { shelve: null }),
    }),
    unshelveServer: t.field({
      type: ServerRef,
      description:
        "NHN's 'start terminated instance' (Nova `unshelve`): only from SHELVED_OFFLOADED (CONFLICT otherwise); back to ACTIVE on a new host. Returns the server as it stands (task `unshelving`).",
      args: { id: idArg() },
      resolve: (_root, { id }, ctx) => act(ctx, String(id), { unshelve: null }),
    }),
    addSecurityGroup: securityGroupField('addSecurityGroup', 'Adds a security group to every port of the server (`addSecurityGroup`).'),
    removeSecurityGroup: securityGroupField(
      'removeSecurityGroup',
      'Removes a security group from the server (`removeSecurityGroup`); 404 when it does not have it.',
    ),
  };
});
