// SecurityGroupRule: one rule of a security group (Neutron `security-group-rules`), `SecurityGroup.rules`
// and the create/delete mutations. NHN creates IPv4 rules only and has no rule update.

import { isIP } from 'node:net';
import { builder } from '../builder.js';
import { badUserInput, missingFromUpstream } from '../errors.js';
import { SecurityGroupRef } from './security-group.js';
import { toSecurityGroupRule, type SecurityGroupRule } from './security-group-mapping.js';
import { cidr, neutronText, ruleProtocol, uuid } from '../validation.js';
import type { NeutronSecurityGroupRuleRequest } from '../../upstream/types.js';

export const RuleDirectionEnum = builder.enumType('RuleDirection', {
  description: 'Which traffic a rule lets through, seen from the port.',
  values: {
    INGRESS: { description: 'Inbound: traffic arriving at the port (`ingress`).' },
    EGRESS: { description: 'Outbound: traffic leaving the port (`egress`).' },
  },
});

export const EtherTypeEnum = builder.enumType('EtherType', {
  description: 'The IP version a rule applies to.',
  values: {
    IPV4: { description: 'IPv4 (`IPv4`); the only one NHN creates rules for.' },
    IPV6: { description: 'IPv6 (`IPv6`); NHN shows the IPv6 egress rule of new groups but creates no IPv6 rules.' },
  },
});

/** For non-null fields Neutron documents: a missing one is the upstream's fault, not a null. */
function required<T>(value: T | null, field: string): T {
  if (value !== null) return value;
  throw missingFromUpstream('network', `the rule's ${field}`);
}

const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', '6', '17', '33', '132', '136']);
const ICMP_PROTOCOLS = new Set(['icmp', 'icmpv6', 'ipv6-icmp', '1', '58']);

export const SecurityGroupRuleRef = builder.objectRef<SecurityGroupRule>('SecurityGroupRule').implement({
  description: 'One rule of a security group: traffic it allows (everything else is dropped). Rules cannot be changed, only added and deleted.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The rule UUID.' }),
    securityGroupId: t.id({
      description: 'The group the rule belongs to.',
      resolve: (r) => required(r.securityGroupId, 'security_group_id'),
    }),
    direction: t.field({
      type: RuleDirectionEnum,
      description: 'Inbound or outbound.',
      resolve: (r) => required(r.direction, 'direction'),
    }),
    etherType: t.field({
      type: EtherTypeEnum,
      description: 'IPv4 or IPv6.',
      resolve: (r) => required(r.etherType, 'ethertype'),
    }),
    protocol: t.exposeString('protocol', { nullable: true, description: 'tcp, udp, icmp, a protocol number, or null for any protocol.' }),
    portRangeMin: t.exposeInt('portRangeMin', {
      nullable: true,
      description: 'First port of the range (1-65535) for tcp/udp; the ICMP type for icmp; null for any.',
    }),
    portRangeMax: t.exposeInt('portRangeMax', {
      nullable: true,
      description: 'Last port of the range (1-65535) for tcp/udp; the ICMP code for icmp; null for any.',
    }),
    remoteIpPrefix: t.exposeString('remoteIpPrefix', {
      nullable: true,
      description: 'The remote addresses the rule applies to, as a CIDR (`0.0.0.0/0`: anywhere); null with a remote group or for any.',
    }),
    remoteGroupId: t.exposeID('remoteGroupId', {
      nullable: true,
      description: 'The rule applies to traffic from (or to) the ports of this group; null when it names addresses instead.',
    }),
    remoteGroup: t.field({
      type: SecurityGroupRef,
      nullable: true,
      description: "The group named by `remoteGroupId` (read from the request's one `GET /v2.0/security-groups`); null when the project has no such group.",
      resolve: (r) => r.remoteGroupId,
    }),
    description: t.exposeString('description', { nullable: true, description: 'Free text; null when empty.' }),
  }),
});

builder.objectField(SecurityGroupRef, 'rules', (t) =>
  t.field({
    type: [SecurityGroupRuleRef],
    description: "The group's rules, as its document carries them (no extra call).",
    resolve: (group) => group.rules,
  }),
);

const CreateSecurityGroupRuleInput = builder.inputType('CreateSecurityGroupRuleInput', {
  description: 'A rule to add to a group. NHN creates IPv4 rules only; a rule that exists already is refused (409 CONFLICT).',
  fields: (t) => ({
    securityGroupId: t.id({ required: true, description: 'The group to add the rule to.', validate: uuid }),
    direction: t.field({ type: RuleDirectionEnum, required: true, description: 'INGRESS to let traffic in, EGRESS out.' }),
    etherType: t.field({ type: EtherTypeEnum, description: 'Defaults to IPV4; NHN refuses IPV6 (so does the gateway, before any call).' }),
    protocol: t.string({ description: 'tcp, udp, icmp or a protocol number; omit for any protocol.', validate: ruleProtocol }),
    portRangeMin: t.int({ description: 'First port (1-65535) for tcp/udp (with portRangeMax); the ICMP type (0-255) for icmp.' }),
    portRangeMax: t.int({ description: 'Last port (1-65535, at least portRangeMin) for tcp/udp; the ICMP code (0-255) for icmp.' }),
    remoteIpPrefix: t.string({ description: 'Where traffic may come from (or go to), e.g. `203.0.113.0/24`; omit for anywhere.', validate: cidr }),
    remoteGroupId: t.id({ description: "Instead of addresses: the ports of this group. Not with remoteIpPrefix.", validate: uuid }),
    description: t.string({ description: 'Free text, at most 255 characters.', validate: neutronText }),
  }),
});

type RuleInput = typeof CreateSecurityGroupRuleInput.$inferInput;

function checkPortRange(protocol: string | null, min: number | null, max: number | null): void {
  if (min === null && max === null) return;
  if (protocol === null) throw badUserInput('input.protocol', 'is needed when a port range is given');
  if (ICMP_PROTOCOLS.has(protocol)) {
    if (min !== null && (min < 0 || min > 255)) throw badUserInput('input.portRangeMin', 'is the ICMP type for icmp: 0-255');
    if (max !== null && (max < 0 || max > 255)) throw badUserInput('input.portRangeMax', 'is the ICMP code for icmp: 0-255');
    if (min === null) throw badUserInput('input.portRangeMin', 'the ICMP type is needed with an ICMP code');
    return;
  }
  if (!PORT_PROTOCOLS.has(protocol)) throw badUserInput('input.portRangeMin', `ports apply only to tcp, udp, sctp, dccp and udplite, not ${protocol}`);
  if (min === null) throw badUserInput('input.portRangeMin', 'is needed with portRangeMax (give both; equal for one port)');
  if (max === null) throw badUserInput('input.portRangeMax', 'is needed with portRangeMin (give both; equal for one port)');
  if (min < 1 || min > 65535) throw badUserInput('input.portRangeMin', 'must be a port between 1 and 65535');
  if (max < 1 || max > 65535) throw badUserInput('input.portRangeMax', 'must be a port between 1 and 65535');
  if (min > max) throw badUserInput('input.portRangeMin', 'must not be greater than portRangeMax');
}

/** Every rule of the input checked before the call, each refusal naming its field. */
export function ruleRequest(input: RuleInput): NeutronSecurityGroupRuleRequest {
  if (input.etherType === 'IPV6') throw badUserInput('input.etherType', 'NHN creates IPv4 rules only');
  const protocol = input.protocol == null ? null : input.protocol.toLowerCase();
  checkPortRange(protocol, input.portRangeMin ?? null, input.portRangeMax ?? null);
  if (input.remoteIpPrefix != null && input.remoteGroupId != null) throw badUserInput('input.remoteGroupId', 'give remoteIpPrefix or remoteGroupId, not both');
  if (input.remoteIpPrefix != null && isIP(input.remoteIpPrefix.split('/')[0]!) !== 4) {
    throw badUserInput('input.remoteIpPrefix', 'must be an IPv4 address or CIDR (NHN creates IPv4 rules only)');
  }
  const request: NeutronSecurityGroupRuleRequest = { security_group_id: String(input.securityGroupId), direction: input.direction === 'INGRESS' ? 'ingress' : 'egress', ethertype: 'IPv4' };
  if (protocol !== null) request.protocol = protocol;
  if (input.portRangeMin != null) request.port_range_min = input.portRangeMin;
  if (input.portRangeMax != null) request.port_range_max = input.portRangeMax;
  if (input.remoteIpPrefix != null) request.remote_ip_prefix = input.remoteIpPrefix;
  if (input.remoteGroupId != null) request.remote_group_id = String(input.remoteGroupId);
  if (input.description != null) request.description = input.description;
  return request;
}

builder.mutationFields((t) => ({
  createSecurityGroupRule: t.field({
    type: SecurityGroupRuleRef,
    description: 'Adds a rule to a security group (`POST /v2.0/security-group-rules`); 409 CONFLICT when the same rule exists.',
    args: { input: t.arg({ type: CreateSecurityGroupRuleInput, required: true, description: 'The rule.' }) },
    resolve: async (_root, { input }, ctx) => toSecurityGroupRule(await ctx.session().network.createSecurityGroupRule(ruleRequest(input))),
  }),
  deleteSecurityGroupRule: t.id({
    description: 'Deletes a rule (`DELETE /v2.0/security-group-rules/{id}`). Returns the id of the deleted rule.',
    args: { id: t.arg.id({ required: true, description: 'The rule UUID.', validate: uuid }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.session().network.deleteSecurityGroupRule(String(id));
      return String(id);
    },
  }),
}));
