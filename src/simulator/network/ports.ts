// Neutron ports (NHN's "Network Interface", VPC-C): the interfaces of the tenant's servers. Every
// server interface is a port, so a port lives exactly as long as its server's interface: a new
// server gets one, a deleted server's goes with it (NHN: a port created with an instance is deleted
// with it). Its security groups are the server's (what Nova's add/removeSecurityGroup change), and
// its floating IP is the one associated with it. Read-only here: list (with `device_id`,
// `network_id`, `fixed_ips` ... filters) and show.

import type { RequestContext, Route } from '../context.js';
import { jsonReply } from '../reply.js';
import type { Nic, Server, Tenant } from '../state.js';
import { filtered, neutronError } from './neutron.js';

export interface PortRef {
  server: Server;
  nic: Nic;
}

/** Every port of the tenant, in server creation order. */
export function tenantPorts(tenant: Tenant): PortRef[] {
  const ports: PortRef[] = [];
  for (const server of tenant.servers.values()) for (const nic of server.nics) ports.push({ server, nic });
  return ports;
}

export function findPort(tenant: Tenant, portId: string): PortRef | undefined {
  for (const server of tenant.servers.values()) {
    for (const nic of server.nics) if (nic.portId === portId) return { server, nic };
  }
  return undefined;
}

export function portNotFound(portId: string) {
  return neutronError(404, 'PortNotFound', `Port ${portId} could not be found.`);
}

/** The ids of the groups a server names (names are unique per tenant in the simulator). */
export function groupIdsOf(tenant: Tenant, server: Server): string[] {
  return server.securityGroups.flatMap((name) => {
    const group = tenant.securityGroups.get(name);
    return group ? [group.id] : [];
  });
}

/** ACTIVE while the guest runs, BUILD while it is being made, DOWN otherwise (the VIF is unplugged). */
function portStatus(server: Server): string {
  if (server.vmState === 'building') return 'BUILD';
  return server.powerState === 1 ? 'ACTIVE' : 'DOWN';
}

export function portDocument({ server, nic }: PortRef, tenant: Tenant) {
  return {
    id: nic.portId,
    name: '',
    network_id: nic.networkId,
    tenant_id: tenant.id,
    project_id: tenant.id,
    mac_address: nic.mac,
    admin_state_up: true,
    status: portStatus(server),
    device_id: server.id,
    device_owner: `compute:${server.zone}`,
    fixed_ips: [{ subnet_id: nic.subnetId, ip_address: nic.ip }],
    security_groups: groupIdsOf(tenant, server),
    port_security_enabled: true,
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    'binding:vnic_type': 'normal',
  };
}

type PortDocument = ReturnType<typeof portDocument>;

/** `fixed_ips=ip_address=10.0.0.5`, `fixed_ips=subnet_id=...`, `fixed_ips=ip_address_substr=10.0`. */
function matchesFixedIps(doc: PortDocument, values: string[]): boolean {
  return values.every((value) => {
    const [key, wanted = ''] = value.split('=', 2) as [string, string?];
    return doc.fixed_ips.some((ip) => {
      if (key === 'ip_address') return ip.ip_address === wanted;
      if (key === 'subnet_id') return ip.subnet_id === wanted;
      if (key === 'ip_address_substr') return ip.ip_address.includes(wanted);
      return false;
    });
  });
}

/** `security_groups=<id>`: ports that carry any of the groups. */
function matchesGroups(doc: PortDocument, values: string[]): boolean {
  return doc.security_groups.some((id) => values.includes(id));
}

export function portDocuments(tenant: Tenant, query: URLSearchParams): PortDocument[] {
  const docs = tenantPorts(tenant).map((port) => portDocument(port, tenant));
  return filtered(docs, query, { fixed_ips: matchesFixedIps, security_groups: matchesGroups });
}

function showPort(ctx: RequestContext) {
  const [id] = ctx.params as [string];
  const port = findPort(ctx.tenant, id);
  if (!port) throw portNotFound(id);
  return jsonReply(200, { port: portDocument(port, ctx.tenant) });
}

export const portRoutes: Route[] = [
  { method: 'GET', template: '/v2.0/ports', handler: (ctx) => jsonReply(200, { ports: portDocuments(ctx.tenant, ctx.query) }) },
  { method: 'GET', template: '/v2.0/ports/{id}', handler: showPort },
];
