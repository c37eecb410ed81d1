// Neutron floating IPs with NHN's extensions (FIP, nhn-api-beyond.md §4b): created on the external
// network, associated with a port (and so with the server behind it, whose `addresses` then show it
// as `floating`), NHN's `label` (letters and digits, at most 64) and `delete_protection`. NHN refuses
// to delete a floating IP while it is protected or associated.

import type { RequestContext, Route } from '../context.js';
import { Random, hashString } from '../random.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import type { FloatingIp, Tenant, World } from '../state.js';
import { filtered, invalidAttribute, neutronError, neutronTime, quoted, resourceBody } from './neutron.js';
import { findPort, portNotFound } from './ports.js';

const LABEL = /^[A-Za-z0-9]{0,64}$/;

/** The router behind a tenant's floating IPs (NHN: the VPC's internet gateway), stable per tenant. */
function routerIdOf(tenant: Tenant): string {
  return new Random(hashString(`router:${tenant.id}`)).uuid();
}

/** A port that went away (its server was deleted) leaves its floating IP unassociated, as in Neutron. */
function settle(tenant: Tenant): void {
  for (const fip of tenant.floatingIps.values()) {
    if (fip.portId !== null && !findPort(tenant, fip.portId)) fip.portId = null;
  }
}

function floatingIpDocument(fip: FloatingIp, tenant: Tenant) {
  const port = fip.portId === null ? undefined : findPort(tenant, fip.portId);
  return {
    id: fip.id,
    floating_ip_address: fip.address,
    floating_network_id: fip.networkId,
    fixed_ip_address: port?.nic.ip ?? null,
    port_id: port ? fip.portId : null,
    router_id: port ? routerIdOf(tenant) : null,
    tenant_id: tenant.id,
    project_id: tenant.id,
    status: port ? 'ACTIVE' : 'DOWN',
    description: '',
    delete_protection: fip.deleteProtection,
    label: fip.label,
    created_at: neutronTime(fip.createdAt),
    updated_at: neutronTime(fip.createdAt),
  };
}

function floatingIpFromPath(ctx: RequestContext): FloatingIp {
  const [id] = ctx.params as [string];
  settle(ctx.tenant);
  const fip = ctx.tenant.floatingIps.get(id);
  if (!fip) throw neutronError(404, 'FloatingIPNotFound', `Floating IP ${id} could not be found`);
  return fip;
}

/** A public address no tenant of the simulator holds (NHN's KR1 pool is in 133.186.0.0/16). */
function freeAddress(world: World, random: Random): string {
  const used = new Set([...world.tenants.values()].flatMap((t) => [...t.floatingIps.values()].map((f) => f.address)));
  for (;;) {
    const address = `133.186.${random.int(256)}.${1 + random.int(254)}`;
    if (!used.has(address)) return address;
  }
}

function labelOf(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !LABEL.test(value)) {
    throw invalidAttribute('label', `${quoted(value)} must be at most 64 letters and digits`);
  }
  return value === '' ? null : value;
}

function protectionOf(value: unknown): boolean {
  if (value === true || value === 'true' || value === 'True') return true;
  if (value === false || value === 'false' || value === 'False') return false;
  throw invalidAttribute('delete_protection', `${quoted(value)} is not a valid boolean value`);
}

/** Points `fip` at `portId` (or nowhere), keeping the servers' `addresses` in step. */
function associate(ctx: RequestContext, fip: FloatingIp, portId: string | null): void {
  const { tenant } = ctx;
  const target = portId === null ? undefined : findPort(tenant, portId);
  if (portId !== null && !target) throw portNotFound(portId);
  if (target && target.nic.floatingIp !== undefined && fip.portId !== portId) {
    throw neutronError(
      409,
      'FloatingIPPortAlreadyAssociated',
      `Cannot associate floating IP ${fip.address} (${fip.id}) with port ${portId} using fixed IP ${target.nic.ip}, as that fixed IP already has a floating IP on external network ${fip.networkId}.`,
    );
  }
  // Addresses live in Nova's network info cache, not the instance row: `updated` stays (changes-since misses it).
  const previous = fip.portId === null ? undefined : findPort(tenant, fip.portId);
  if (previous && previous.nic.portId !== portId) {
    previous.nic.floatingIp = undefined;
    tenant.changed(previous.server);
  }
  fip.portId = portId;
  if (target) {
    target.nic.floatingIp = fip.address;
    tenant.changed(target.server);
  }
}

function createFloatingIp(ctx: RequestContext): Reply {
  const body = resourceBody(ctx, 'floatingip', ['floating_network_id', 'port_id', 'fixed_ip_address', 'delete_protection', 'label', 'description', 'tenant_id', 'project_id']);
  const { tenant } = ctx;
  settle(tenant);
  if (body.floating_network_id === undefined) {
    throw neutronError(400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'floating_network_id' not specified");
  }
  const networkId = String(body.floating_network_id);
  const network = tenant.networks.find((n) => n.id === networkId);
  if (!network) throw neutronError(404, 'NetworkNotFound', `Network ${networkId} could not be found.`);
  if (!network.external) throw neutronError(400, 'BadRequest', `Bad floatingip request: Network ${networkId} is not a valid external network.`);
  const label = body.label === undefined ? null : labelOf(body.label);
  const deleteProtection = body.delete_protection === undefined ? false : protectionOf(body.delete_protection);
  const portId = body.port_id === undefined || body.port_id === null ? null : String(body.port_id);
  if (portId !== null && !findPort(tenant, portId)) throw portNotFound(portId);
  const fip: FloatingIp = {
    id: ctx.world.ids.uuid(), address: freeAddress(ctx.world, ctx.world.ids), networkId, portId: null, deleteProtection, label, createdAt: ctx.now,
  };
  if (portId !== null) associate(ctx, fip, portId);
  tenant.floatingIps.set(fip.id, fip);
  return jsonReply(201, { floatingip: floatingIpDocument(fip, tenant) });
}

function updateFloatingIp(ctx: RequestContext): Reply {
  const fip = floatingIpFromPath(ctx);
  const body = resourceBody(ctx, 'floatingip', ['port_id', 'fixed_ip_address', 'delete_protection', 'label', 'description']);
  const label = body.label === undefined ? fip.label : labelOf(body.label);
  const deleteProtection = body.delete_protection === undefined ? fip.deleteProtection : protectionOf(body.delete_protection);
  if ('port_id' in body) associate(ctx, fip, body.port_id === null ? null : String(body.port_id));
  fip.label = label;
  fip.deleteProtection = deleteProtection;
  return jsonReply(200, { floatingip: floatingIpDocument(fip, ctx.tenant) });
}

function deleteFloatingIp(ctx: RequestContext): Reply {
  const fip = floatingIpFromPath(ctx);
  // NHN's rules (FIP); the status and wording are not documented and follow Neutron's InUse errors.
  if (fip.deleteProtection) throw neutronError(409, 'FloatingIPDeleteProtected', `Floating IP ${fip.id} is protected from deletion: turn delete_protection off first.`);
  if (fip.portId !== null) throw neutronError(409, 'FloatingIPInUse', `Floating IP ${fip.id} is associated with port ${fip.portId}: disassociate it first.`);
  ctx.tenant.floatingIps.delete(fip.id);
  return emptyReply(204);
}

/** Seed data: web-01 reachable at a floating IP, and one protected address kept in reserve. */
export function seedFloatingIps(world: World, tenant: Tenant, at: number): void {
  const random = new Random(hashString(`floating-ips:${tenant.id}`));
  const external = tenant.networks.find((n) => n.external);
  const web = [...tenant.servers.values()].find((s) => s.name === 'web-01');
  if (!external) return;
  const make = (portId: string | null, label: string | null, deleteProtection: boolean) => {
    const fip: FloatingIp = { id: random.uuid(), address: freeAddress(world, random), networkId: external.id, portId, deleteProtection, label, createdAt: at };
    tenant.floatingIps.set(fip.id, fip);
    return fip;
  };
  const nic = web?.nics[0];
  if (nic) nic.floatingIp = make(nic.portId, 'web01', false).address;
  make(null, 'reserved', true);
}

export const floatingIpRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v2.0/floatingips',
    handler: (ctx) => {
      settle(ctx.tenant);
      return jsonReply(200, { floatingips: filtered([...ctx.tenant.floatingIps.values()].map((f) => floatingIpDocument(f, ctx.tenant)), ctx.query) });
    },
  },
  { method: 'GET', template: '/v2.0/floatingips/{id}', handler: (ctx) => jsonReply(200, { floatingip: floatingIpDocument(floatingIpFromPath(ctx), ctx.tenant) }) },
  { method: 'POST', template: '/v2.0/floatingips', handler: createFloatingIp },
  { method: 'PUT', template: '/v2.0/floatingips/{id}', handler: updateFloatingIp },
  { method: 'DELETE', template: '/v2.0/floatingips/{id}', handler: deleteFloatingIp },
];
