// Neutron v2.0 (`{network}/v2.0/...`): networks and subnets, for choosing where a server goes; and
// the network around a server: security groups and rules, ports, floating IPs (with NHN's `label`
// and `delete_protection`, and NHN's `security-group-ports` lookup). Nothing here is cached: groups,
// ports and addresses change with every server action.

import { member } from './http.js';
import { queryString, repeatedQueryString, segment } from './urls.js';
import type { Session } from './session.js';
import type {
  NetworkApi,
  NeutronFloatingIp,
  NeutronFloatingIpRequest,
  NeutronNetwork,
  NeutronPort,
  NeutronSecurityGroup,
  NeutronSecurityGroupRule,
  NeutronSecurityGroupRuleRequest,
  NeutronSubnet,
} from './types.js';

/**
 * Ids per list call: 100 UUIDs as repeated `id=` (or `device_id=`) keep the URL near 5 KB, under the
 * 8 KB request line most proxies allow. A 100-server page is one call.
 */
export const IDS_PER_QUERY = 100;

function chunks(ids: readonly string[]): string[][] {
  const unique = [...new Set(ids)];
  const out: string[][] = [];
  for (let start = 0; start < unique.length; start += IDS_PER_QUERY) out.push(unique.slice(start, start + IDS_PER_QUERY));
  return out;
}

export class Network implements NetworkApi {
  constructor(private readonly session: Session) {}

  async listNetworks(query: { external?: boolean } = {}): Promise<NeutronNetwork[]> {
    const response = await this.session.call('network', 'GET', `/v2.0/networks${repeatedQueryString({ 'router:external': query.external })}`);
    return member<NeutronNetwork[]>('network', response.body, 'networks', 'array', 'id');
  }

  async listSubnets(query: { networkId?: string } = {}): Promise<NeutronSubnet[]> {
    const response = await this.session.call('network', 'GET', `/v2.0/subnets${queryString({ network_id: query.networkId })}`);
    return member<NeutronSubnet[]>('network', response.body, 'subnets', 'array', 'id');
  }

  /** A list call per chunk of `ids` (one call when there are none to filter by), results joined. */
  async #list<T>(path: string, collection: string, filters: Record<string, string | undefined>, idKey?: string, ids?: readonly string[]): Promise<T[]> {
    const one = async (chunk?: readonly string[]) => {
      const query = repeatedQueryString({ ...filters, ...(idKey && chunk ? { [idKey]: chunk } : {}) });
      const response = await this.session.call('network', 'GET', `${path}${query}`);
      return member<T[]>('network', response.body, collection, 'array', 'id');
    };
    if (ids === undefined) return one();
    const parts = chunks(ids);
    if (parts.length === 0) return [];
    return (await Promise.all(parts.map(one))).flat();
  }

  listSecurityGroups(): Promise<NeutronSecurityGroup[]> {
    return this.#list('/v2.0/security-groups', 'security_groups', {});
  }

  async createSecurityGroup(input: { name: string; description?: string }): Promise<NeutronSecurityGroup> {
    const response = await this.session.call('network', 'POST', '/v2.0/security-groups', { body: { security_group: input } });
    return member<NeutronSecurityGroup>('network', response.body, 'security_group', 'object', 'id');
  }

  async updateSecurityGroup(id: string, changes: { name?: string; description?: string }): Promise<NeutronSecurityGroup> {
    const path = `/v2.0/security-groups/${segment('network', id)}`;
    const response = await this.session.call('network', 'PUT', path, { body: { security_group: changes } });
    return member<NeutronSecurityGroup>('network', response.body, 'security_group', 'object', 'id');
  }

  async deleteSecurityGroup(id: string): Promise<void> {
    await this.session.call('network', 'DELETE', `/v2.0/security-groups/${segment('network', id)}`);
  }

  async createSecurityGroupRule(rule: NeutronSecurityGroupRuleRequest): Promise<NeutronSecurityGroupRule> {
    const response = await this.session.call('network', 'POST', '/v2.0/security-group-rules', { body: { security_group_rule: rule } });
    return member<NeutronSecurityGroupRule>('network', response.body, 'security_group_rule', 'object', 'id');
  }

  async deleteSecurityGroupRule(id: string): Promise<void> {
    await this.session.call('network', 'DELETE', `/v2.0/security-group-rules/${segment('network', id)}`);
  }

  listSecurityGroupPorts(securityGroupId: string): Promise<NeutronPort[]> {
    return this.#list('/v2.0/security-group-ports', 'security_group_ports', { security_group_id: securityGroupId });
  }

  listPorts(query: { ids?: readonly string[]; deviceIds?: readonly string[]; networkId?: string } = {}): Promise<NeutronPort[]> {
    // By devices or by ids (the gateway never needs both at once).
    const filters = { network_id: query.networkId };
    if (query.deviceIds !== undefined) return this.#list('/v2.0/ports', 'ports', filters, 'device_id', query.deviceIds);
    return this.#list<NeutronPort>('/v2.0/ports', 'ports', filters, 'id', query.ids);
  }

  listFloatingIps(query: { ids?: readonly string[]; portIds?: readonly string[] } = {}): Promise<NeutronFloatingIp[]> {
    if (query.portIds !== undefined) return this.#list('/v2.0/floatingips', 'floatingips', {}, 'port_id', query.portIds);
    return this.#list('/v2.0/floatingips', 'floatingips', {}, 'id', query.ids);
  }

  async createFloatingIp(input: NeutronFloatingIpRequest): Promise<NeutronFloatingIp> {
    const response = await this.session.call('network', 'POST', '/v2.0/floatingips', { body: { floatingip: input } });
    return member<NeutronFloatingIp>('network', response.body, 'floatingip', 'object', 'id');
  }

  async updateFloatingIp(id: string, changes: { port_id?: string | null; label?: string; delete_protection?: boolean }): Promise<NeutronFloatingIp> {
    const path = `/v2.0/floatingips/${segment('network', id)}`;
    const response = await this.session.call('network', 'PUT', path, { body: { floatingip: changes } });
    return member<NeutronFloatingIp>('network', response.body, 'floatingip', 'object', 'id');
  }

  async deleteFloatingIp(id: string): Promise<void> {
    await this.session.call('network', 'DELETE', `/v2.0/floatingips/${segment('network', id)}`);
  }
}
