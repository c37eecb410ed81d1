// Port: a Neutron port (NHN's "Network Interface"), a federation entity: the queries, `Server.ports`
// (one ports call for a page of servers) and `SecurityGroup.ports` (NHN's security-group-ports).

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { missingFromUpstream } from '../errors.js';
import { LOADER_OPTIONS, loadPorts, portsByServer, portsBySecurityGroup } from '../loaders.js';
import { ServerRef } from '../compute/server.js';
import { SecurityGroupRef } from './security-group.js';
import { type FixedIp, type Port, toPort } from './port-mapping.js';
import { uuid } from '../validation.js';

export const PortRef = builder.loadableObjectRef<Port | null, string, string, Port>('Port', {
  load: (ids: string[], ctx: Context) => loadPorts(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

function required<T>(value: T | null, field: string): T {
  if (value !== null) return value;
  throw missingFromUpstream('network', `the port's ${field}`);
}

const FixedIpRef = builder.objectRef<FixedIp>('FixedIp').implement({
  description: 'An address a port holds on one of its subnets.',
  fields: (t) => ({
    subnetId: t.exposeID('subnetId', { description: 'The subnet the address belongs to.' }),
    ipAddress: t.exposeString('ipAddress', { description: 'The fixed (private) address, e.g. `192.168.0.12`.' }),
  }),
});

PortRef.implement({
  description: "A port: a server's network interface on a network, with its fixed addresses, security groups and floating IP.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The port UUID.' }),
    name: t.exposeString('name', { nullable: true, description: 'The port name; null when empty (ports made with a server have none).' }),
    status: t.string({ description: 'ACTIVE, BUILD or DOWN, as Neutron reports it.', resolve: (p) => required(p.status, 'status') }),
    networkId: t.id({ description: 'The network (VPC) the port is on.', resolve: (p) => required(p.networkId, 'network_id') }),
    macAddress: t.string({ description: 'The MAC address, e.g. `fa:16:3e:12:34:56`.', resolve: (p) => required(p.macAddress, 'mac_address') }),
    fixedIps: t.field({ type: [FixedIpRef], description: 'Its fixed addresses, one per subnet.', resolve: (p) => p.fixedIps }),
    serverId: t.exposeID('serverId', { nullable: true, description: 'The server that uses the port (`device_id`), if a server does.' }),
    server: t.field({
      type: ServerRef,
      nullable: true,
      description: 'The server that uses the port (one `GET /servers/{id}` per distinct server); null when none.',
      resolve: (p) => p.serverId,
    }),
    securityGroupIds: t.idList({ description: "The ids of the port's security groups.", resolve: (p) => p.securityGroupIds }),
    securityGroups: t.field({
      type: [SecurityGroupRef],
      nullable: true,
      description: "The port's security groups (read from the request's one `GET /v2.0/security-groups`, which remote groups share); null when that call fails.",
      resolve: (p) => p.securityGroupIds,
    }),
  }),
});

loadableEntity(PortRef, 'id', uuid);

queryById('port', PortRef, { field: 'One port by id (`GET /v2.0/ports?id=`); null when the project has no such port.', id: 'The port UUID.' }, uuid);

builder.queryField('ports', (t) =>
  t.field({
    type: [PortRef],
    description: "The project's ports (`GET /v2.0/ports`), optionally of one network or one server.",
    args: {
      networkId: t.arg.id({ description: 'Only the ports on this network.', validate: uuid }),
      serverId: t.arg.id({ description: 'Only the ports of this server (`device_id`).', validate: uuid }),
    },
    resolve: async (_root, { networkId, serverId }, ctx) => {
      const query = { ...(networkId != null ? { networkId: String(networkId) } : {}), ...(serverId != null ? { deviceIds: [String(serverId)] } : {}) };
      const ports = (await ctx.session().network.listPorts(query)).map(toPort);
      const loader = PortRef.getDataloader(ctx);
      for (const port of ports) loader.prime(port.id, port);
      return ports;
    },
  }),
);

builder.objectField(ServerRef, 'ports', (t) =>
  t.field({
    type: [PortRef],
    nullable: true,
    description:
      "The server's ports (`GET /v2.0/ports?device_id=`, one call for every server of the request). Null, with an error at this path, when the network service fails: the server still comes back.",
    resolve: (server, _args, ctx) => portsByServer(ctx).load(server.id),
  }),
);

builder.objectField(SecurityGroupRef, 'ports', (t) =>
  t.field({
    type: [PortRef],
    nullable: true,
    description: "The ports that use this group (NHN's `/v2.0/security-group-ports`); null when that call fails.",
    resolve: (group, _args, ctx) => portsBySecurityGroup(ctx).load(group.id),
  }),
);
