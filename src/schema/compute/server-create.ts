// createServer: the input types, their rules (api-facts.md "Server create") and the mapping to Nova's
// create body. Everything that can be checked without the upstream is checked before any call.

import { wakeWatcher } from './server-subscriptions.js';
import type { NovaCreateServerRequest } from '../../upstream/types.js';
import { z } from 'zod';
import { builder, type Context } from '../builder.js';
import { BlockDeviceDestinationEnum, BlockDeviceSourceEnum } from './enums.js';
import { badUserInput } from '../errors.js';
import { ImageRef } from '../image/image.js';
import type { Server } from './server-mapping.js';
import { MetadataEntryInputRef, toMetadataObject } from '../metadata.js';
import { currentServer, ServerRef } from './server.js';
import {
  bdmUuid,
  flavorId,
  ipAddress,
  keypairName,
  metadataList,
  resourceName,
  securityGroupName,
  serverCount,
  userData,
  uuid,
  volumeSize,
  WINDOWS_NAME_MAX,
} from '../validation.js';

// Zod 4 fails an absent key whose schema is a bare `z.unknown()` ("expected nonoptional"), so every
// field a rule merely looks at is optional here.
const present = z.unknown().optional();

const NetworkInputRef = builder.inputType('NetworkInput', {
  description:
    'One NIC of a new server, as NHN allows it: a network, a subnet (NHN extension), an existing port, or a fixed IP alone (the subnet holding it); a network or subnet may also name the fixed IP.',
  fields: (t) => ({
    networkId: t.id({ description: 'Attach to this network (VPC) id (Nova `uuid`).', validate: uuid }),
    subnetId: t.id({ description: 'Attach to this subnet id (NHN extension `subnet`).', validate: uuid }),
    portId: t.id({
      description: 'Use this existing port id (Nova `port`); security groups of the request do not apply to it. Not with fixedIp.',
      validate: uuid,
    }),
    fixedIp: t.string({
      description: 'This IPv4 address (Nova `fixed_ip`): alone, or on the given network or subnet.',
      validate: ipAddress,
    }),
  }),
  validate: z
    .looseObject({ networkId: present, subnetId: present, portId: present, fixedIp: present })
    .refine((n) => [n.networkId, n.subnetId, n.portId].filter((v) => v != null).length <= 1, {
      message: 'give only one of networkId, subnetId and portId',
    })
    .refine((n) => n.portId == null || n.fixedIp == null, {
      message: 'cannot be given with portId (the port has its own addresses)',
      path: ['fixedIp'],
    })
    .refine((n) => [n.networkId, n.subnetId, n.portId, n.fixedIp].some((v) => v != null), {
      message: 'give networkId, subnetId, portId or fixedIp',
    }),
});

const BlockDeviceInputRef = builder.inputType('BlockDeviceInput', {
  description: 'One block device of a new server (Nova `block_device_mapping_v2`).',
  fields: (t) => ({
    sourceType: t.field({ type: BlockDeviceSourceEnum, required: true, description: 'Where the device comes from.' }),
    destinationType: t.field({
      type: BlockDeviceDestinationEnum,
      required: true,
      description: 'LOCAL for u2 and GPU flavors, VOLUME for every other flavor.',
    }),
    uuid: t.id({ description: 'The image, volume or snapshot id; omit for BLANK.', validate: bdmUuid }),
    bootIndex: t.int({ description: '0 for the root disk; higher numbers boot later; omit for data disks.' }),
    volumeSize: t.int({
      description: 'GB. Ignored for u2 roots; at least the source size for a snapshot. Root disks: 10 (20 in the console)-1000 GB Linux, 50-1000 GB Windows.',
      validate: volumeSize,
    }),
    deleteOnTermination: t.boolean({ description: 'Delete the volume with the server (default false).' }),
    volumeType: t.string({ description: 'The Cinder volume type, for example `General SSD`.' }),
  }),
  validate: z
    .looseObject({ sourceType: z.string(), destinationType: z.string(), uuid: present, volumeSize: present })
    .refine((d) => d.sourceType === 'BLANK' || d.uuid != null, { message: 'uuid is required unless sourceType is BLANK', path: ['uuid'] })
    .refine((d) => d.sourceType !== 'BLANK' || d.volumeSize != null, { message: 'volumeSize is required for BLANK', path: ['volumeSize'] })
    .refine((d) => !['VOLUME', 'SNAPSHOT'].includes(d.sourceType) || d.destinationType === 'VOLUME', {
      message: 'must be VOLUME for a VOLUME or SNAPSHOT source',
      path: ['destinationType'],
    }),
});

const CreateServerInputRef = builder.inputType('CreateServerInput', {
  description: 'A new server (or up to 10 alike). NHN requires networks, keyName and, except for u2 flavors, blockDevices.',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: '1-255 printable characters (15 for Windows images); several servers are named name-1, name-2, ...',
      validate: resourceName,
    }),
    imageId: t.id({ description: 'The image to boot; omit when a block device with bootIndex 0 is the root.', validate: uuid }),
    flavorId: t.id({ required: true, description: 'The flavor id.', validate: flavorId }),
    networks: t.field({
      type: [NetworkInputRef],
      required: true,
      description: 'One entry per NIC, at least one.',
      validate: z.array(z.unknown()).min(1, 'must have at least one network'),
    }),
    keyName: t.string({ required: true, description: 'The keypair to inject.', validate: keypairName }),
    securityGroups: t.stringList({
      description: 'Security group names; `default` when omitted.',
      validate: z.array(securityGroupName),
    }),
    userData: t.string({
      description: 'Plain text (a script or cloud-config); the gateway base64-encodes it. At most 49149 bytes.',
      validate: userData,
    }),
    availabilityZone: t.string({ description: 'For example `kr-pub-a`; random when omitted.', validate: resourceName }),
    metadata: t.field({
      type: [MetadataEntryInputRef],
      description: 'Server metadata (keys and values at most 255 characters).',
      validate: metadataList,
    }),
    blockDevices: t.field({ type: [BlockDeviceInputRef], description: 'Block devices; the one with bootIndex 0 is the root.' }),
    minCount: t.int({ description: 'Create at least this many (1-10; default 1).', validate: serverCount }),
    maxCount: t.int({ description: 'Create at most this many (1-10; default minCount).', validate: serverCount }),
    returnReservationId: t.boolean({
      description: 'Answer with a reservation id instead of the server (then `server` is null).',
    }),
    placementPolicyId: t.id({
      description:
        'Place the new servers under this placement policy (`os:scheduler_hints.group`, sent beside `server`); at most 10 members per policy. When they cannot be spread, they end in ERROR.',
      validate: uuid,
    }),
  }),
  validate: z
    .looseObject({
      minCount: z.number().nullish(),
      maxCount: z.number().nullish(),
      imageId: present,
      blockDevices: z.array(z.looseObject({ sourceType: z.string(), bootIndex: z.number().nullish() })).nullish(),
    })
    .refine((i) => (i.minCount ?? 1) <= (i.maxCount ?? i.minCount ?? 1), {
      message: 'must not be greater than maxCount',
      path: ['minCount'],
    })
    .refine((i) => i.imageId != null || (i.blockDevices ?? []).some((d) => d.bootIndex === 0), {
      message: 'is required unless a block device with bootIndex 0 is given',
      path: ['imageId'],
    })
    .refine(
      (i) => !(i.blockDevices ?? []).some((d) => d.sourceType === 'VOLUME') || (i.maxCount ?? i.minCount ?? 1) === 1,
      { message: 'must be 1 when a block device is an existing volume', path: ['maxCount'] },
    ),
});

export type CreateServerInput = typeof CreateServerInputRef.$inferInput;

const lower = (value: string) => value.toLowerCase();
const defined = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null));

/** Nova's create body. Booleans go as JSON booleans: NHN's sample sends `1`, which Nova rejects. */
export function toNovaCreateBody(input: CreateServerInput): NovaCreateServerRequest {
  const server = defined({
    name: input.name,
    imageRef: input.imageId == null ? '' : String(input.imageId),
    flavorRef: String(input.flavorId),
    networks: input.networks.map((n) =>
      defined({ uuid: n.networkId, subnet: n.subnetId, port: n.portId, fixed_ip: n.fixedIp }),
    ),
    key_name: input.keyName,
    security_groups: input.securityGroups ? [...new Set(input.securityGroups)].map((name) => ({ name })) : undefined,
    user_data: input.userData == null ? undefined : Buffer.from(input.userData, 'utf8').toString('base64'),
    availability_zone: input.availabilityZone,
    metadata: toMetadataObject(input.metadata),
    block_device_mapping_v2: input.blockDevices?.map((d) =>
      defined({
        source_type: lower(d.sourceType),
        destination_type: lower(d.destinationType),
        uuid: d.uuid == null ? undefined : String(d.uuid),
        boot_index: d.bootIndex,
        volume_size: d.volumeSize,
        delete_on_termination: d.deleteOnTermination,
        volume_type: d.volumeType,
      }),
    ),
    min_count: input.minCount,
    max_count: input.maxCount,
    return_reservation_id: input.returnReservationId === true ? true : undefined,
  });
  // Nova reads scheduler hints only at the top level, beside `server`; inside it they are dropped unread.
  if (input.placementPolicyId != null) return { server, 'os:scheduler_hints': { group: String(input.placementPolicyId) } };
  return { server };
}

/** The image that will be the root disk, if the input names one. */
function rootImageId(input: CreateServerInput): string | null {
  if (input.imageId != null) return String(input.imageId);
  const root = input.blockDevices?.find((d) => d.bootIndex === 0 && d.sourceType === 'IMAGE');
  return root?.uuid == null ? null : String(root.uuid);
}

/**
 * NHN limits Windows server names to 15 characters, which only the image tells. Best effort: when
 * the image cannot be read, Nova's own checks decide.
 */
async function checkWindowsName(ctx: Context, input: CreateServerInput): Promise<void> {
  const imageId = rootImageId(input);
  if (imageId === null || input.name.length <= WINDOWS_NAME_MAX) return;
  const image = await ImageRef.getDataloader(ctx).load(imageId).catch(() => null);
  if (image?.osType?.toLowerCase() === 'windows') {
    throw badUserInput('input.name', `must be at most ${WINDOWS_NAME_MAX} characters for a Windows image`);
  }
}

const CreateServerPayloadRef = builder.objectRef<{ reservationId: string | null; server: Server | null }>(
  'CreateServerPayload',
);

CreateServerPayloadRef.implement({
  description: 'What createServer started.',
  fields: (t) => ({
    server: t.field({
      type: ServerRef,
      nullable: true,
      description:
        'The (first) created server as it stands (usually BUILD); null when only a reservation id was asked for. With maxCount > 1 Nova describes only the first.',
      resolve: (payload) => payload.server,
    }),
    reservationId: t.exposeString('reservationId', {
      nullable: true,
      description: 'The reservation id (`r-...`) when one was asked for; filter `servers` by it to find them all.',
    }),
  }),
});

builder.mutationField('createServer', (t) =>
  t.field({
    type: CreateServerPayloadRef,
    description: 'Creates a server (`POST /servers`); it goes BUILD -> ACTIVE. Over quota: QUOTA_EXCEEDED.',
    args: { input: t.arg({ type: CreateServerInputRef, required: true, description: 'The new server.' }) },
    resolve: async (_root, { input }, ctx) => {
      await checkWindowsName(ctx, input);
      const created = await ctx.session().compute.createServer(toNovaCreateBody(input));
      const id = created.server?.id;
      // A new server is a build request at first, which every delta lists: a wake-up suffices.
      if (id) wakeWatcher(ctx, id, 'changed');
      return {
        reservationId: created.reservation_id ?? null,
        server: id ? await currentServer(ctx, id) : null,
      };
    },
  }),
);
