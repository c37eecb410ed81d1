// Network and Subnet: read-only views of Neutron (catalog type `network`), so a create-server form
// can offer real choices for `networks`.

import { builder } from '../builder.js';
import { subnetsByNetwork } from '../loaders.js';
import { type Network, type Subnet, toNetwork, toSubnet } from './network-mapping.js';
import { uuid } from '../validation.js';

const SubnetRef = builder.objectRef<Subnet>('Subnet').implement({
  description: 'A subnet of a network (Neutron); its id can be a NetworkInput.subnetId.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The subnet UUID.' }),
    name: t.exposeString('name', { description: 'The subnet name (may be empty).' }),
    networkId: t.exposeID('networkId', { nullable: true, description: 'The network it belongs to.' }),
    cidr: t.exposeString('cidr', { nullable: true, description: 'The address range, e.g. `192.168.0.0/24`.' }),
    ipVersion: t.exposeInt('ipVersion', { nullable: true, description: 'IP version, 4 or 6.' }),
    gatewayIp: t.exposeString('gatewayIp', { nullable: true, description: 'The gateway address; null when none.' }),
    enableDhcp: t.exposeBoolean('enableDhcp', { nullable: true, description: 'Whether DHCP serves addresses.' }),
  }),
});

const NetworkRef = builder.objectRef<Network>('Network').implement({
  description: 'A network (VPC) servers can attach to (Neutron); its id can be a NetworkInput.networkId.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The network UUID.' }),
    name: t.exposeString('name', { description: 'The network name, as server addresses show it (e.g. `vpc2`).' }),
    status: t.exposeString('status', { nullable: true, description: 'Neutron status, e.g. `ACTIVE`.' }),
    shared: t.exposeBoolean('shared', { description: 'Whether other projects may use it.' }),
    external: t.exposeBoolean('external', { description: 'Whether it is an external (public) network.' }),
    subnets: t.field({
      type: [SubnetRef],
      description: 'Its subnets (all networks of a request share one subnet list call).',
      resolve: async (network, _args, ctx) => (await subnetsByNetwork(ctx)).get(network.id) ?? [],
    }),
  }),
});

builder.queryFields((t) => ({
  networks: t.field({
    type: [NetworkRef],
    description: 'The networks visible to the project (`GET /v2.0/networks`).',
    resolve: async (_root, _args, ctx) => (await ctx.session().network.listNetworks()).map(toNetwork),
  }),
  subnets: t.field({
    type: [SubnetRef],
    description: 'The subnets visible to the project (`GET /v2.0/subnets`).',
    args: { networkId: t.arg.id({ description: 'Only the subnets of this network.', validate: uuid }) },
    resolve: async (_root, { networkId }, ctx) => {
      const query = networkId == null ? undefined : { networkId: String(networkId) };
      return (await ctx.session().network.listSubnets(query)).map(toSubnet);
    },
  }),
}));
