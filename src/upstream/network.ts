// Neutron v2.0 (`{network}/v2.0/...`): networks and subnets, for choosing where a server goes.

import { member } from './http.js';
import { queryString } from './urls.js';
import type { Session } from './session.js';
import type { NetworkApi, NeutronNetwork, NeutronSubnet } from './types.js';

export class Network implements NetworkApi {
  constructor(private readonly session: Session) {}

  async listNetworks(): Promise<NeutronNetwork[]> {
    const response = await this.session.call('network', 'GET', '/v2.0/networks');
    return member<NeutronNetwork[]>('network', response.body, 'networks', 'array', 'id');
  }

  async listSubnets(query: { networkId?: string } = {}): Promise<NeutronSubnet[]> {
    const response = await this.session.call('network', 'GET', `/v2.0/subnets${queryString({ network_id: query.networkId })}`);
    return member<NeutronSubnet[]>('network', response.body, 'subnets', 'array', 'id');
  }
}
