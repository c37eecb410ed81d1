// Server: the Nova server, its relations and `server(id)`. The list is in server-list.ts, the
// mutations in server-create.ts and server-actions.ts, `volumeAttachments` in volume-attachment.ts.

import { UpstreamError } from '../../upstream/errors.js';
import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { missingFromUpstream } from '../errors.js';
import { AddressTypeEnum, PowerStateEnum, ServerStatusEnum } from './enums.js';
import { FlavorRef } from './flavor.js';
import { ImageRef } from '../image/image.js';
import { KeypairRef } from './keypair.js';
import { LOADER_OPTIONS, loadServers, prefetchVolumeAttachments } from '../loaders.js';
import { type Server, toServer } from './server-mapping.js';
import { MetadataEntryRef } from '../metadata.js';
import { selectedFieldNodes } from '../selection.js';
import { uuid } from '../validation.js';

export const ServerRef = builder.loadableObjectRef<Server | null, string, string, Server>('Server', {
  load: (ids: string[], ctx: Context) => loadServers(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

/** For non-null fields Nova documents: a missing one is the upstream's fault, not a null. */
function required<T>(value: T | null, field: string): T {
  if (value !== null) return value;
  throw missingFromUpstream('compute', `the server's ${field}`);
}

const ServerAddressRef = builder.simpleObject('ServerAddress', {
  description: 'One IP address of a server (NHN supports IPv4 only).',
  fields: (t) => ({
    networkName: t.string({ description: 'The network (VPC) it belongs to, for example `vpc2`.' }),
    address: t.string({ description: 'The IP address.' }),
    version: t.int({ description: 'IP version, 4 or 6.' }),
    type: t.field({ type: AddressTypeEnum, description: 'Fixed or floating.' }),
    macAddress: t.string({ nullable: true, description: 'MAC address of the port.' }),
  }),
});

const ServerFaultRef = builder.simpleObject('ServerFault', {
  description: 'Why a server is in ERROR (Nova `fault`).',
  fields: (t) => ({
    code: t.int({ description: 'HTTP-like status of the failure, for example 500.' }),
    message: t.string({ description: 'What failed.' }),
    details: t.string({ nullable: true, description: 'More detail (for admins a stack trace); often null.' }),
    created: t.field({ type: 'DateTime', nullable: true, description: 'When it failed.' }),
  }),
});

// A DELETED server (a subscription's last event) has no relations any more: they resolve to null
// (volumeAttachments to an empty list) without an upstream call that could only fail.
ServerRef.implement({
  description: 'A server (virtual machine instance) of the NHN Cloud Instance service.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The server UUID.' }),
    name: t.exposeString('name', { description: 'The server name (1-255 characters; 15 for Windows).' }),
    // Exposed rather than resolved: graphql-jit reads a property inline, where a resolver costs a call,
    // its arguments and info objects for each of the 100 servers of a page.
    status: t.expose('status', {
      type: ServerStatusEnum,
      description: 'Nova status; UNKNOWN for a value this API does not know.',
    }),
    taskState: t.exposeString('taskState', {
      nullable: true,
      description: 'The running task (`OS-EXT-STS:task_state`), e.g. `powering-off`; null when idle. An action needs it idle.',
    }),
    vmState: t.exposeString('vmState', {
      nullable: true,
      description: 'The VM state (`OS-EXT-STS:vm_state`), e.g. `active`, `stopped`; what actions are checked against.',
    }),
    powerState: t.field({
      type: PowerStateEnum,
      nullable: true,
      description: 'Hypervisor power state (`OS-EXT-STS:power_state`); null when absent or undocumented.',
      resolve: (s) => s.powerState,
    }),
    tenantId: t.string({
      description: 'The project (tenant) id that owns the server.',
      resolve: (s, _args, ctx) => s.tenantId ?? ctx.session().tenantId,
    }),
    userId: t.string({ description: 'The user id that created it.', resolve: (s) => required(s.userId, 'user_id') }),
    hostId: t.exposeString('hostId', { nullable: true, description: 'Opaque id of the host, per project.' }),
    keyName: t.exposeString('keyName', { nullable: true, description: 'Name of the keypair injected at creation.' }),
    keypair: t.field({
      type: KeypairRef,
      nullable: true,
      description: 'The keypair named by `keyName`; null when none or since deleted.',
      resolve: (s) => (s.status === 'DELETED' ? null : s.keyName),
    }),
    flavor: t.field({
      type: FlavorRef,
      nullable: true,
      description: 'The flavor (size); null when it no longer exists.',
      resolve: (s) => (s.status === 'DELETED' ? null : s.flavorId),
    }),
    image: t.field({
      type: ImageRef,
      nullable: true,
      description: 'Null for a server booted from a volume, or when the image no longer exists.',
      resolve: (s) => (s.status === 'DELETED' ? null : s.imageId),
    }),
    addresses: t.field({
      type: [ServerAddressRef],
      description: 'IP addresses by network.',
      resolve: (s) => s.addresses,
    }),
    securityGroups: t.exposeStringList('securityGroups', { description: 'Names of its security groups.' }),
    metadata: t.field({
      type: [MetadataEntryRef],
      description: 'Server metadata; NHN keeps image facts here (`os_type`, `image_name`, `login_username`, ...).',
      resolve: (s) => s.metadata,
    }),
    availabilityZone: t.exposeString('availabilityZone', {
      nullable: true,
      description: 'Its zone, for example `kr-pub-a`.',
    }),
    created: t.field({ type: 'DateTime', description: 'When it was created.', resolve: (s) => required(s.created, 'created') }),
    updated: t.field({ type: 'DateTime', description: 'When it last changed.', resolve: (s) => required(s.updated, 'updated') }),
    launchedAt: t.expose('launchedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it first booted; null before that.',
    }),
    terminatedAt: t.expose('terminatedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was terminated; null while it exists.',
    }),
    fault: t.field({
      type: ServerFaultRef,
      nullable: true,
      description: 'Set when the server is in ERROR: why it failed.',
      resolve: (s) => s.fault,
    }),
    progress: t.exposeInt('progress', {
      nullable: true,
      description: 'Build or resize progress in percent, when Nova reports it.',
    }),
    deletionProtected: t.exposeBoolean('deletionProtected', {
      nullable: true,
      description: "NHN's deletion protection (`NHN-EXT-ATTR:protect`), set in the console; null when the upstream does not say.",
    }),
    ephemeralDiskSize: t.exposeInt('ephemeralDiskSize', {
      nullable: true,
      description: 'GB of local ephemeral disk (`NHN-EXT-ATTR:ephemeral_disk_size`); null when the upstream does not say.',
    }),
  }),
});

loadableEntity(ServerRef, 'id', uuid);

queryById(
  'server',
  ServerRef,
  { field: 'One server by id (`GET /servers/{id}`); null when it does not exist.', id: 'The server UUID.' },
  uuid,
  (id, ctx, info) => {
    // `volumeAttachments` (volume-attachment.ts) needs only the id: its list starts alongside the server.
    const attachments = selectedFieldNodes(info, []).filter((f) => f.name.value === 'volumeAttachments');
    if (attachments.some((f) => !f.arguments?.length)) prefetchVolumeAttachments(ctx, id);
  },
);

/** The server as it stands now, read past the request's loader (which may hold the state before a change). */
export async function currentServer(ctx: Context, id: string): Promise<Server> {
  const raw = await ctx.session().compute.getServer(id);
  if (raw === null) {
    throw new UpstreamError({ service: 'compute', kind: 'http', status: 404, message: `Server ${id} could not be found.` });
  }
  const server = toServer(raw);
  ServerRef.getDataloader(ctx).clear(id).prime(id, server);
  return server;
}
