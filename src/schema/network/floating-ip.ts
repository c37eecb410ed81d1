// FloatingIp: a public address (Neutron floating IP with NHN's label and delete protection), a
// federation entity: the queries and mutations, `Port.floatingIp` and `Server.floatingIps` (one
// floating-IP call for every port of a request).

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { badUserInput, missingFromUpstream } from '../errors.js';
import { floatingIpByPort, LOADER_OPTIONS, loadFloatingIps, portsByServer } from '../loaders.js';
import { ServerRef } from '../compute/server.js';
import { PortRef } from './port.js';
import { wakeWatcher } from '../compute/server-subscriptions.js';
import { type FloatingIp, toFloatingIp } from './floating-ip-mapping.js';
import { floatingIpLabel, uuid } from '../validation.js';
import type { NeutronFloatingIpRequest } from '../../upstream/types.js';

export const FloatingIpRef = builder.loadableObjectRef<FloatingIp | null, string, string, FloatingIp>('FloatingIp', {
  load: (ids: string[], ctx: Context) => loadFloatingIps(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

function required<T>(value: T | null, field: string): T {
  if (value !== null) return value;
  throw missingFromUpstream('network', `the floating IP's ${field}`);
}

FloatingIpRef.implement({
  description: 'A floating IP: a public address that reaches a server once associated with its port.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The floating IP UUID.' }),
    address: t.string({ description: 'The public IPv4 address.', resolve: (f) => required(f.address, 'floating_ip_address') }),
    status: t.string({ description: 'ACTIVE (associated), DOWN or ERROR, as the upstream says.', resolve: (f) => required(f.status, 'status') }),
    floatingNetworkId: t.id({ description: 'The external network the address comes from.', resolve: (f) => required(f.floatingNetworkId, 'floating_network_id') }),
    fixedAddress: t.exposeString('fixedAddress', { nullable: true, description: 'The fixed address of the port it is associated with; null when not associated.' }),
    portId: t.exposeID('portId', { nullable: true, description: 'The associated port; null when not associated.' }),
    port: t.field({
      type: PortRef,
      nullable: true,
      description: 'The associated port (ports of a request in one `GET /v2.0/ports?id=` call); null when not associated.',
      resolve: (f) => f.portId,
    }),
    server: t.field({
      type: ServerRef,
      nullable: true,
      description: 'The server behind the associated port; null when not associated or the port is not a server\'s.',
      resolve: async (f, _args, ctx) => (f.portId === null ? null : ((await PortRef.getDataloader(ctx).load(f.portId))?.serverId ?? null)),
    }),
    deletionProtected: t.exposeBoolean('deletionProtected', {
      nullable: true,
      description: "NHN's delete protection: while true, deleting the address is refused.",
    }),
    label: t.exposeString('label', { nullable: true, description: "NHN's label (letters and digits, at most 64); null when none." }),
  }),
});

loadableEntity(FloatingIpRef, 'id', uuid);

queryById(
  'floatingIp',
  FloatingIpRef,
  { field: 'One floating IP by id (`GET /v2.0/floatingips?id=`); null when the project has no such address.', id: 'The floating IP UUID.' },
  uuid,
);

builder.queryField('floatingIps', (t) =>
  t.field({
    type: [FloatingIpRef],
    description: "The project's floating IPs (`GET /v2.0/floatingips`).",
    resolve: async (_root, _args, ctx) => {
      const fips = (await ctx.session().network.listFloatingIps()).map(toFloatingIp);
      const loader = FloatingIpRef.getDataloader(ctx);
      for (const fip of fips) loader.prime(fip.id, fip);
      return fips;
    },
  }),
);

builder.objectField(PortRef, 'floatingIp', (t) =>
  t.field({
    type: FloatingIpRef,
    nullable: true,
    description: 'The floating IP associated with this port, if any (one `GET /v2.0/floatingips?port_id=` call for every port of a request).',
    resolve: (port, _args, ctx) => floatingIpByPort(ctx).load(port.id),
  }),
);

builder.objectField(ServerRef, 'floatingIps', (t) =>
  t.field({
    type: [FloatingIpRef],
    nullable: true,
    description:
      "The floating IPs associated with the server's ports (the ports call `ports` makes, then one floating-IP call for the request). Null, with an error at this path, when the network service fails.",
    resolve: async (server, _args, ctx) => {
      const ports = await portsByServer(ctx).load(server.id);
      const fips = await floatingIpByPort(ctx).loadMany(ports.map((p) => p.id));
      const failed = fips.find((f): f is Error => f instanceof Error);
      if (failed) throw failed;
      return fips.filter((f): f is FloatingIp => f !== null);
    },
  }),
);

// ---- mutations -------------------------------------------------------------------------------------------

const CreateFloatingIpInput = builder.inputType('CreateFloatingIpInput', {
  description: 'A new floating IP from an external network, optionally associated at once.',
  fields: (t) => ({
    floatingNetworkId: t.id({ description: "The external network; the gateway finds the project's external network when omitted.", validate: uuid }),
    portId: t.id({ description: 'Associate at once with this port.', validate: uuid }),
    label: t.string({ description: "NHN's label: letters and digits, at most 64.", validate: floatingIpLabel }),
    deletionProtected: t.boolean({ description: "NHN's delete protection (default false)." }),
  }),
});

/** The project's one external network (`router:external`), for a create that names none. */
async function externalNetworkId(ctx: Context): Promise<string> {
  const networks = await ctx.session().network.listNetworks({ external: true });
  const external = networks.filter((n) => n['router:external'] !== false);
  if (external.length === 1) return external[0]!.id;
  if (external.length === 0) throw badUserInput('input.floatingNetworkId', 'the project sees no external network: give its id');
  throw badUserInput('input.floatingNetworkId', `the project sees several external networks (${external.map((n) => n.id).join(', ')}): name one`);
}

/** The port to associate with: `portId` as given, or the only port of `serverId`. */
async function targetPort(ctx: Context, serverId: string | null, portId: string | null): Promise<string> {
  if ((serverId === null) === (portId === null)) throw badUserInput('serverId', 'give serverId or portId (exactly one)');
  if (portId !== null) return portId;
  const ports = await ctx.session().network.listPorts({ deviceIds: [serverId!] });
  if (ports.length === 1) return ports[0]!.id;
  if (ports.length === 0) throw badUserInput('serverId', `server ${serverId} has no port (it does not exist, or has no network interface)`);
  throw badUserInput('serverId', `server ${serverId} has ${ports.length} ports (${ports.map((p) => p.id).join(', ')}): give portId`);
}

/**
 * A floating IP changes its server's `addresses`, which Nova keeps outside the instance row: its
 * `updated` does not move, so the project's watcher is asked to read that server again. The server is
 * the port's device; a failed lookup only costs the live view this one change.
 */
async function wakeServerOfPort(ctx: Context, portId: string | null, serverId?: string | null): Promise<void> {
  try {
    const owner = serverId ?? (portId === null ? null : ((await PortRef.getDataloader(ctx).load(portId))?.serverId ?? null));
    if (owner !== null) wakeWatcher(ctx, owner, 'reread');
  } catch {
    // The mutation succeeded; the watcher's next full relist shows the address.
  }
}

builder.mutationFields((t) => ({
  createFloatingIp: t.field({
    type: FloatingIpRef,
    description: 'Allocates a floating IP (`POST /v2.0/floatingips`), optionally associated with a port at once.',
    args: { input: t.arg({ type: CreateFloatingIpInput, description: 'Where from, and what to associate; all optional.' }) },
    resolve: async (_root, { input }, ctx) => {
      const request: NeutronFloatingIpRequest = {
        floating_network_id: input?.floatingNetworkId != null ? String(input.floatingNetworkId) : await externalNetworkId(ctx),
      };
      if (input?.portId != null) request.port_id = String(input.portId);
      if (input?.label != null && input.label !== '') request.label = input.label;
      if (input?.deletionProtected != null) request.delete_protection = input.deletionProtected;
      const created = toFloatingIp(await ctx.session().network.createFloatingIp(request));
      if (created.portId !== null) await wakeServerOfPort(ctx, created.portId);
      return created;
    },
  }),
  associateFloatingIp: t.field({
    type: FloatingIpRef,
    description:
      "Associates a floating IP with a port, or with a server: its only port (BAD_USER_INPUT naming the ports when it has several; then give portId). `PUT /v2.0/floatingips/{id}`.",
    args: {
      id: t.arg.id({ required: true, description: 'The floating IP UUID.', validate: uuid }),
      serverId: t.arg.id({ description: 'The server whose port to use.', validate: uuid }),
      portId: t.arg.id({ description: 'The port to use.', validate: uuid }),
    },
    resolve: async (_root, args, ctx) => {
      const serverId = args.serverId == null ? null : String(args.serverId);
      const portId = await targetPort(ctx, serverId, args.portId == null ? null : String(args.portId));
      const associated = toFloatingIp(await ctx.session().network.updateFloatingIp(String(args.id), { port_id: portId }));
      await wakeServerOfPort(ctx, portId, serverId);
      return associated;
    },
  }),
  disassociateFloatingIp: t.field({
    type: FloatingIpRef,
    description: 'Detaches a floating IP from its port (`PUT /v2.0/floatingips/{id}` with `port_id: null`); the address stays allocated.',
    args: { id: t.arg.id({ required: true, description: 'The floating IP UUID.', validate: uuid }) },
    resolve: async (_root, { id }, ctx) => {
      // The port it leaves is known only before the change (Neutron answers with `port_id: null`).
      const before = await FloatingIpRef.getDataloader(ctx).load(String(id));
      const detached = toFloatingIp(await ctx.session().network.updateFloatingIp(String(id), { port_id: null }));
      await wakeServerOfPort(ctx, before?.portId ?? null);
      return detached;
    },
  }),
  updateFloatingIp: t.field({
    type: FloatingIpRef,
    description: "Changes NHN's label or delete protection (`PUT /v2.0/floatingips/{id}`).",
    args: {
      id: t.arg.id({ required: true, description: 'The floating IP UUID.', validate: uuid }),
      label: t.arg.string({ description: 'The new label: letters and digits, at most 64; "" removes it.', validate: floatingIpLabel }),
      deletionProtected: t.arg.boolean({ description: 'Turn delete protection on or off.' }),
    },
    resolve: async (_root, { id, label, deletionProtected }, ctx) => {
      if (label == null && deletionProtected == null) throw badUserInput('label', 'give label, deletionProtected or both');
      const changes = { ...(label != null ? { label } : {}), ...(deletionProtected != null ? { delete_protection: deletionProtected } : {}) };
      return toFloatingIp(await ctx.session().network.updateFloatingIp(String(id), changes));
    },
  }),
  deleteFloatingIp: t.id({
    description:
      'Releases a floating IP (`DELETE /v2.0/floatingips/{id}`). NHN refuses (409 CONFLICT) while it is delete-protected or associated. Returns the id of the deleted floating IP.',
    args: { id: t.arg.id({ required: true, description: 'The floating IP UUID.', validate: uuid }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.session().network.deleteFloatingIp(String(id));
      return String(id);
    },
  }),
}));
