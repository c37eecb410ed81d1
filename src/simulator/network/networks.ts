// Neutron v2.0, read-only: the networks and subnets of the tenant's VPC (and the shared external
// network), so that a client can find the ids server create needs. Query keys filter by equality,
// as Neutron's list filters do (`?name=...`, `?network_id=...`, repeated keys mean "any of").

import type { Route } from '../context.js';
import { list } from './neutron.js';
import { NHN_SERVICE_PROJECT } from '../seed.js';
import type { Network, Subnet, Tenant } from '../state.js';

function networkDocument(network: Network, tenant: Tenant) {
  const owner = network.external ? NHN_SERVICE_PROJECT : tenant.id;
  return {
    id: network.id,
    name: network.name,
    status: 'ACTIVE',
    subnets: [...network.subnetIds],
    admin_state_up: true,
    shared: network.external,
    'router:external': network.external,
    tenant_id: owner,
    project_id: owner,
    mtu: 1450,
  };
}

function subnetDocument(subnet: Subnet, tenant: Tenant) {
  const [base] = subnet.cidr.split('/');
  const prefix = base!.split('.').slice(0, 3).join('.');
  return {
    id: subnet.id,
    name: subnet.name,
    network_id: subnet.networkId,
    cidr: subnet.cidr,
    ip_version: 4,
    gateway_ip: subnet.gatewayIp,
    enable_dhcp: true,
    allocation_pools: [{ start: `${prefix}.10`, end: `${prefix}.254` }],
    dns_nameservers: [],
    host_routes: [],
    tenant_id: tenant.id,
    project_id: tenant.id,
  };
}

export const networkRoutes: Route[] = [
  { method: 'GET', template: '/v2.0/networks', handler: list('networks', (ctx) => ctx.tenant.networks.map((n) => networkDocument(n, ctx.tenant))) },
  { method: 'GET', template: '/v2.0/subnets', handler: list('subnets', (ctx) => ctx.tenant.subnets.map((s) => subnetDocument(s, ctx.tenant))) },
];
