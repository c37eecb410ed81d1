// A Nova server group as the PlacementPolicy type reads it: the rule from the one-element
// `policies` list (or the `policy` string newer Novas send), member ids of live servers.

import type { NovaServerGroup } from '../../upstream/types.js';
import { list, text } from '../readers.js';

export const PLACEMENT_POLICY_RULES = {
  ANTI_AFFINITY: 'The only rule NHN offers: spread the members over different hosts (`anti-affinity`).',
  AFFINITY: 'Keep the members on one host (`affinity`); not offered by NHN.',
  SOFT_ANTI_AFFINITY: 'Spread the members where possible (`soft-anti-affinity`, Nova 2.15+); not available on /v2 nor on NHN.',
  SOFT_AFFINITY: 'Keep the members together where possible (`soft-affinity`, Nova 2.15+); not available on /v2 nor on NHN.',
  UNKNOWN: 'Any value the upstream sends that this enum does not list.',
} as const;
export type PlacementPolicyRule = keyof typeof PLACEMENT_POLICY_RULES;

/** Nova's policy names for the rules a request may carry. */
export const NOVA_POLICY_NAMES: Record<Exclude<PlacementPolicyRule, 'UNKNOWN'>, string> = {
  ANTI_AFFINITY: 'anti-affinity',
  AFFINITY: 'affinity',
  SOFT_ANTI_AFFINITY: 'soft-anti-affinity',
  SOFT_AFFINITY: 'soft-affinity',
};

const RULE_OF_POLICY = new Map<string, PlacementPolicyRule>(
  Object.entries(NOVA_POLICY_NAMES).map(([rule, policy]) => [policy, rule as PlacementPolicyRule]),
);

export interface PlacementPolicy {
  id: string;
  name: string;
  rule: PlacementPolicyRule;
  memberIds: string[];
}

export function placementPolicyRule(raw: Pick<NovaServerGroup, 'policies' | 'policy'>): PlacementPolicyRule {
  const policy = text(raw.policy) ?? text(list(raw.policies)[0]);
  return (policy && RULE_OF_POLICY.get(policy.toLowerCase())) || 'UNKNOWN';
}

export function toPlacementPolicy(raw: NovaServerGroup): PlacementPolicy {
  const members = list(raw.members).map(text).filter((id) => id !== null);
  return { id: raw.id, name: text(raw.name) ?? '', rule: placementPolicyRule(raw), memberIds: [...new Set(members)] };
}
