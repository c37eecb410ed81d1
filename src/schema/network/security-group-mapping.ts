// Neutron security groups and their rules as the SecurityGroup and SecurityGroupRule types read them.

import type { NeutronSecurityGroup, NeutronSecurityGroupRule } from '../../upstream/types.js';
import { integer, list, record, text } from '../readers.js';

export type RuleDirection = 'INGRESS' | 'EGRESS';
export type EtherType = 'IPV4' | 'IPV6';

export interface SecurityGroupRule {
  id: string;
  securityGroupId: string | null;
  /** null when the upstream sends a direction this API does not know. */
  direction: RuleDirection | null;
  etherType: EtherType | null;
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  description: string | null;
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string | null;
  tenantId: string | null;
  rules: SecurityGroupRule[];
}

const DIRECTIONS: Record<string, RuleDirection> = { ingress: 'INGRESS', egress: 'EGRESS' };
const ETHER_TYPES: Record<string, EtherType> = { ipv4: 'IPV4', ipv6: 'IPV6' };

export function toSecurityGroupRule(raw: NeutronSecurityGroupRule, groupId?: string): SecurityGroupRule {
  const protocol = raw.protocol;
  return {
    id: raw.id,
    securityGroupId: text(raw.security_group_id) ?? groupId ?? null,
    direction: DIRECTIONS[String(raw.direction).toLowerCase()] ?? null,
    etherType: ETHER_TYPES[String(raw.ethertype).toLowerCase()] ?? null,
    protocol: typeof protocol === 'number' ? String(protocol) : text(protocol),
    portRangeMin: integer(raw.port_range_min),
    portRangeMax: integer(raw.port_range_max),
    remoteIpPrefix: text(raw.remote_ip_prefix),
    remoteGroupId: text(raw.remote_group_id),
    description: text(raw.description),
  };
}

export function toSecurityGroup(raw: NeutronSecurityGroup): SecurityGroup {
  return {
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : '',
    description: text(raw.description),
    tenantId: text(raw.tenant_id) ?? text(raw.project_id),
    rules: list(raw.security_group_rules)
      .map(record)
      .filter((rule): rule is NeutronSecurityGroupRule => typeof rule.id === 'string' && rule.id !== '')
      .map((rule) => toSecurityGroupRule(rule, raw.id)),
  };
}
