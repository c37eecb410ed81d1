// Neutron security groups and rules (NHN's Security Groups API, nhn-api-beyond.md §4a) and NHN's
// `GET /v2.0/security-group-ports`. Rules and messages follow neutron/extensions/securitygroup.py and
// neutron/db/securitygroups_db.py; NHN's own rules: rules are created for IPv4 only, a new group
// comes with an IPv4 and an IPv6 egress rule, and the `default` group blocks all inbound traffic.

import { isIP } from 'node:net';
import type { RequestContext, Route } from '../context.js';
import { Random, hashString } from '../random.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import type { SecurityGroup, SecurityGroupRule, Tenant } from '../state.js';
import { filtered, invalidAttribute, neutronError, neutronTime, quoted, resourceBody, stringAttribute } from './neutron.js';
import { portDocuments } from './ports.js';

const NAME_MAX = 255;
const DESCRIPTION_MAX = 255;

/** neutron_lib.constants.IP_PROTOCOL_MAP (names Neutron accepts besides the numbers 0-255). */
const PROTOCOL_NUMBERS: Record<string, number> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ip: 0, ipip: 4, 'ipv6-encap': 41,
  'ipv6-frag': 44, 'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89,
  pgm: 113, rsvp: 46, sctp: 132, tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};
/** Protocols with ports (SG_PORT_PROTO_NAMES / NUMS). */
const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);
const ICMP_PROTOCOLS = new Set([1, 58]);
const ANY_PROTOCOL = new Set(['any', '']);

export function groupNotFound(id: string) {
  return neutronError(404, 'SecurityGroupNotFound', `Security group ${id} does not exist`);
}

export function findGroup(tenant: Tenant, id: string): SecurityGroup | undefined {
  for (const group of tenant.securityGroups.values()) if (group.id === id) return group;
  return undefined;
}

/** The IPv4 and IPv6 egress rules every new group gets (SG: "New groups come with 2 egress rules"). */
function egressRules(random: Random, at: number): SecurityGroupRule[] {
  return (['IPv4', 'IPv6'] as const).map((ethertype) => ({
    id: random.uuid(), direction: 'egress', ethertype, protocol: null, portRangeMin: null, portRangeMax: null,
    remoteIpPrefix: null, remoteGroupId: null, description: '', createdAt: at,
  }));
}

/**
 * A group with its egress rules; seed data passes `ingress` for groups that open ports. Rule ids come
 * from `ruleIds`, by default derived from the group id, so seeded groups cost the seed sequence one id.
 */
export function newSecurityGroup(
  random: Random,
  fields: { name: string; description: string; at: number },
  ingress: Pick<SecurityGroupRule, 'protocol' | 'portRangeMin' | 'portRangeMax' | 'remoteIpPrefix'>[] = [],
  ruleIds?: Random,
): SecurityGroup {
  const id = random.uuid();
  ruleIds ??= new Random(hashString(`rules:${id}`));
  const rules = egressRules(ruleIds, fields.at);
  for (const rule of ingress) {
    rules.push({ id: ruleIds.uuid(), direction: 'ingress', ethertype: 'IPv4', remoteGroupId: null, description: '', createdAt: fields.at, ...rule });
  }
  return { id, name: fields.name, description: fields.description, rules, createdAt: fields.at };
}

function ruleDocument(rule: SecurityGroupRule, group: SecurityGroup, tenant: Tenant) {
  return {
    id: rule.id,
    security_group_id: group.id,
    direction: rule.direction,
    ethertype: rule.ethertype,
    protocol: rule.protocol,
    port_range_min: rule.portRangeMin,
    port_range_max: rule.portRangeMax,
    remote_ip_prefix: rule.remoteIpPrefix,
    remote_group_id: rule.remoteGroupId,
    description: rule.description,
    tenant_id: tenant.id,
    project_id: tenant.id,
    created_at: neutronTime(rule.createdAt),
    updated_at: neutronTime(rule.createdAt),
    revision_number: 0,
  };
}

function groupDocument(group: SecurityGroup, tenant: Tenant) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    tenant_id: tenant.id,
    project_id: tenant.id,
    security_group_rules: group.rules.map((rule) => ruleDocument(rule, group, tenant)),
    stateful: true,
    created_at: neutronTime(group.createdAt),
    updated_at: neutronTime(group.createdAt),
    revision_number: group.rules.length,
  };
}

function groupFromPath(ctx: RequestContext): SecurityGroup {
  const [id] = ctx.params as [string];
  const group = findGroup(ctx.tenant, id);
  if (!group) throw groupNotFound(id);
  return group;
}

/** The live servers that use a group through their ports. */
function serversUsing(tenant: Tenant, group: SecurityGroup) {
  return [...tenant.servers.values()].filter((s) => s.nics.length > 0 && s.securityGroups.includes(group.name));
}

function groupName(value: unknown): string {
  const name = stringAttribute('name', value, NAME_MAX);
  if (name.toLowerCase() === 'default') throw neutronError(409, 'SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
  return name;
}

function nameTaken(name: string): never {
  // Neutron allows duplicate names; the simulator keeps them unique because servers refer to groups by name.
  throw neutronError(409, 'SecurityGroupConflict', `Error security group name ${name} is already used in this project while attempting the operation.`);
}

function createGroup(ctx: RequestContext): Reply {
  const body = resourceBody(ctx, 'security_group', ['name', 'description', 'tenant_id', 'project_id', 'stateful']);
  const name = body.name === undefined ? '' : groupName(body.name);
  const description = body.description === undefined ? '' : stringAttribute('description', body.description, DESCRIPTION_MAX);
  if (ctx.tenant.securityGroups.has(name)) nameTaken(name);
  const group = newSecurityGroup(ctx.world.ids, { name, description, at: ctx.now }, [], ctx.world.ids);
  ctx.tenant.securityGroups.set(name, group);
  return jsonReply(201, { security_group: groupDocument(group, ctx.tenant) });
}

function updateGroup(ctx: RequestContext): Reply {
  const group = groupFromPath(ctx);
  const body = resourceBody(ctx, 'security_group', ['name', 'description', 'stateful']);
  if (body.name !== undefined) {
    const name = stringAttribute('name', body.name, NAME_MAX);
    if (group.name === 'default' && name !== 'default') throw neutronError(409, 'SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
    if (name !== group.name) {
      if (name.toLowerCase() === 'default') groupName(name);
      if (ctx.tenant.securityGroups.has(name)) nameTaken(name);
      renameGroup(ctx, group, name);
    }
  }
  if (body.description !== undefined) group.description = stringAttribute('description', body.description, DESCRIPTION_MAX);
  return jsonReply(200, { security_group: groupDocument(group, ctx.tenant) });
}

/**
 * Servers name their groups, so a rename reaches them (Nova shows the group's current name); groups
 * are Neutron's, not the instance row's, so the servers' `updated` stays.
 */
function renameGroup(ctx: RequestContext, group: SecurityGroup, name: string): void {
  const { tenant } = ctx;
  for (const server of tenant.servers.values()) {
    if (!server.securityGroups.includes(group.name)) continue;
    server.securityGroups = server.securityGroups.map((n) => (n === group.name ? name : n));
    tenant.changed(server);
  }
  tenant.securityGroups.delete(group.name);
  group.name = name;
  tenant.securityGroups.set(name, group);
}

function deleteGroup(ctx: RequestContext): Reply {
  const group = groupFromPath(ctx);
  // Neutron checks for ports before the default group (securitygroups_db.delete_security_group).
  if (serversUsing(ctx.tenant, group).length > 0) throw neutronError(409, 'SecurityGroupInUse', `Security Group ${group.id} in use.`);
  if (group.name === 'default') throw neutronError(409, 'SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
  ctx.tenant.securityGroups.delete(group.name);
  // Rules of other groups that name it as their remote group go with it (a cascading foreign key).
  for (const other of ctx.tenant.securityGroups.values()) other.rules = other.rules.filter((r) => r.remoteGroupId !== group.id);
  return emptyReply(204);
}

// ---- rules --------------------------------------------------------------------------------------------

const RULE_ATTRIBUTES = [
  'security_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix',
  'remote_group_id', 'description', 'tenant_id', 'project_id',
] as const;

function allRules(tenant: Tenant) {
  return [...tenant.securityGroups.values()].flatMap((group) => group.rules.map((rule) => ({ group, rule })));
}

function ruleNotFound(id: string) {
  return neutronError(404, 'SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`);
}

/** convert_protocol: a name (any case), a number 0-255, or "any"/null for every protocol. */
function protocolOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = String(value).toLowerCase();
  if (ANY_PROTOCOL.has(text)) return null;
  if (/^\d+$/.test(text) && Number(text) <= 255) return text;
  if (typeof value === 'string' && text in PROTOCOL_NUMBERS) return text;
  const names = ['any', ...Object.keys(PROTOCOL_NUMBERS)].map((n) => `'${n}'`).join(', ');
  throw neutronError(400, 'SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${value} not supported. Only protocol values [None, ${names}] and integer representations [0 to 255] are supported.`);
}

/** convert_validate_port_value: null, or an integer 0-65535 given as a number or a string. */
function portOf(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
  if (/^\d+$/.test(text) && Number(text) <= 65535) return Number(text);
  throw neutronError(400, 'SecurityGroupInvalidPortValue', `Invalid value for port ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/** convert_ip_prefix_to_cidr and _validate_ip_prefix: a CIDR (or a bare address), host bits cleared. */
function prefixOf(value: unknown, ethertype: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'string' ? value : '';
  const [address = '', bits, extra] = text.split('/');
  const version = isIP(address);
  const max = version === 6 ? 128 : 32;
  const length = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (version === 0 || extra !== undefined || !(length >= 0 && length <= max)) {
    throw neutronError(400, 'InvalidCIDR', `Invalid CIDR ${typeof value === 'string' ? value : JSON.stringify(value)} given as IP prefix.`);
  }
  if (ethertype !== `IPv${version}`) {
    throw neutronError(400, 'SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${text}`);
  }
  return version === 4 ? `${ipv4Network(address, length)}/${length}` : `${address.toLowerCase()}/${length}`;
}

function ipv4Network(address: string, length: number): string {
  const value = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  const network = (value & mask) >>> 0;
  return [24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.');
}

/** _validate_port_range, with Neutron's messages. */
function checkPortRange(protocol: string | null, min: number | null, max: number | null): void {
  if (min === null && max === null) return;
  if (protocol === null) throw neutronError(400, 'SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.');
  const number = PROTOCOL_NUMBERS[protocol] ?? Number(protocol);
  if (PORT_PROTOCOLS.has(number)) {
    if (min === 0 || max === 0) throw neutronError(400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 0');
    if (min === null || max === null || min > max) {
      throw neutronError(400, 'SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
    }
  } else if (ICMP_PROTOCOLS.has(number)) {
    for (const [value, field, attr] of [[min, 'type', 'port_range_min'], [max, 'code', 'port_range_max']] as const) {
      if (value !== null && value > 255) {
        throw neutronError(400, 'SecurityGroupInvalidIcmpValue', `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`);
      }
    }
    if (min === null && max !== null) {
      throw neutronError(400, 'SecurityGroupMissingIcmpType', `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`);
    }
  } else {
    throw neutronError(400, 'SecurityGroupInvalidProtocolForPort', `Ports cannot be specified for protocol ${number}. Ports are only supported for TCP, UDP, SCTP, DCCP, UDPLITE.`);
  }
}

function sameRule(a: SecurityGroupRule, b: SecurityGroupRule): boolean {
  return (
    a.direction === b.direction && a.ethertype === b.ethertype && a.protocol === b.protocol && a.portRangeMin === b.portRangeMin &&
    a.portRangeMax === b.portRangeMax && a.remoteIpPrefix === b.remoteIpPrefix && a.remoteGroupId === b.remoteGroupId
  );
}

function createRule(ctx: RequestContext): Reply {
  const body = resourceBody(ctx, 'security_group_rule', RULE_ATTRIBUTES);
  const { tenant } = ctx;
  if (body.security_group_id === undefined) throw neutronError(400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'security_group_id' not specified");
  if (body.direction === undefined) throw neutronError(400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'direction' not specified");
  if (body.direction !== 'ingress' && body.direction !== 'egress') {
    throw invalidAttribute('direction', `${quoted(body.direction)} is not in ['ingress', 'egress']`);
  }
  const ethertypeText = body.ethertype === undefined ? 'IPv4' : String(body.ethertype);
  // NHN creates IPv4 rules only (SG); Neutron's message, with NHN's one allowed value.
  if (ethertypeText.toLowerCase() !== 'ipv4') {
    throw neutronError(400, 'SecurityGroupRuleInvalidEtherType', `Security group rule for ethertype '${ethertypeText}' not supported. Allowed values are ['IPv4'].`);
  }
  const ethertype = 'IPv4';
  const protocol = protocolOf(body.protocol);
  let portRangeMin = portOf(body.port_range_min);
  let portRangeMax = portOf(body.port_range_max);
  const description = body.description === undefined || body.description === null ? '' : stringAttribute('description', body.description, DESCRIPTION_MAX);
  const remoteGroupId = body.remote_group_id === undefined || body.remote_group_id === null ? null : String(body.remote_group_id);
  const remoteIpPrefix = prefixOf(body.remote_ip_prefix, ethertype);
  if (remoteGroupId !== null && remoteIpPrefix !== null) {
    throw neutronError(400, 'SecurityGroupMultipleRemoteEntites', 'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.');
  }
  checkPortRange(protocol, portRangeMin, portRangeMax);
  // _make_canonical_port_range: the whole range means "any port".
  if (portRangeMin === 1 && portRangeMax === 65535 && PORT_PROTOCOLS.has(PROTOCOL_NUMBERS[protocol ?? ''] ?? Number(protocol))) {
    portRangeMin = null;
    portRangeMax = null;
  }
  const groupId = String(body.security_group_id);
  const group = findGroup(tenant, groupId);
  if (!group) throw groupNotFound(groupId);
  if (remoteGroupId !== null && !findGroup(tenant, remoteGroupId)) throw groupNotFound(remoteGroupId);
  const rule: SecurityGroupRule = {
    id: ctx.world.ids.uuid(), direction: body.direction, ethertype, protocol, portRangeMin, portRangeMax, remoteIpPrefix, remoteGroupId,
    description, createdAt: ctx.now,
  };
  const existing = group.rules.find((r) => sameRule(r, rule));
  if (existing) throw neutronError(409, 'SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${existing.id}.`);
  group.rules.push(rule);
  return jsonReply(201, { security_group_rule: ruleDocument(rule, group, tenant) });
}

function showRule(ctx: RequestContext): Reply {
  const [id] = ctx.params as [string];
  const found = allRules(ctx.tenant).find(({ rule }) => rule.id === id);
  if (!found) throw ruleNotFound(id);
  return jsonReply(200, { security_group_rule: ruleDocument(found.rule, found.group, ctx.tenant) });
}

function deleteRule(ctx: RequestContext): Reply {
  const [id] = ctx.params as [string];
  const found = allRules(ctx.tenant).find(({ rule }) => rule.id === id);
  if (!found) throw ruleNotFound(id);
  found.group.rules = found.group.rules.filter((r) => r.id !== id);
  return emptyReply(204);
}

/** NHN's lookup of the ports that use a group; `security_group_id` is required (SG). */
function securityGroupPorts(ctx: RequestContext): Reply {
  const ids = ctx.query.getAll('security_group_id');
  if (ids.length === 0) throw neutronError(400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'security_group_id' not specified");
  const rest = new URLSearchParams([...ctx.query].filter(([key]) => key !== 'security_group_id'));
  const ports = portDocuments(ctx.tenant, rest).filter((port) => port.security_groups.some((id) => ids.includes(id)));
  return jsonReply(200, { security_group_ports: ports });
}

export const securityGroupRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v2.0/security-groups',
    handler: (ctx) => jsonReply(200, { security_groups: filtered([...ctx.tenant.securityGroups.values()].map((g) => groupDocument(g, ctx.tenant)), ctx.query) }),
  },
  { method: 'GET', template: '/v2.0/security-groups/{id}', handler: (ctx) => jsonReply(200, { security_group: groupDocument(groupFromPath(ctx), ctx.tenant) }) },
  { method: 'POST', template: '/v2.0/security-groups', handler: createGroup },
  { method: 'PUT', template: '/v2.0/security-groups/{id}', handler: updateGroup },
  { method: 'DELETE', template: '/v2.0/security-groups/{id}', handler: deleteGroup },
  {
    method: 'GET',
    template: '/v2.0/security-group-rules',
    handler: (ctx) => jsonReply(200, { security_group_rules: filtered(allRules(ctx.tenant).map(({ rule, group }) => ruleDocument(rule, group, ctx.tenant)), ctx.query) }),
  },
  { method: 'GET', template: '/v2.0/security-group-rules/{id}', handler: showRule },
  { method: 'POST', template: '/v2.0/security-group-rules', handler: createRule },
  { method: 'DELETE', template: '/v2.0/security-group-rules/{id}', handler: deleteRule },
  { method: 'GET', template: '/v2.0/security-group-ports', handler: securityGroupPorts },
];
