// Neutron networks and subnets as the Network and Subnet types read them.

import type { NeutronNetwork, NeutronSubnet } from '../../upstream/types.js';
import { text, integer, boolean, list } from '../readers.js';

export interface Network {
  id: string;
  name: string;
  status: string | null;
  shared: boolean;
  external: boolean;
  subnetIds: string[];
}

export function toNetwork(raw: NeutronNetwork): Network {
  return {
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : '',
    status: text(raw.status),
    shared: boolean(raw.shared) ?? false,
    external: boolean(raw['router:external']) ?? false,
    subnetIds: list(raw.subnets).filter((id): id is string => typeof id === 'string'),
  };
}

export interface Subnet {
  id: string;
  name: string;
  networkId: string | null;
  cidr: string | null;
  ipVersion: number | null;
  gatewayIp: string | null;
  enableDhcp: boolean | null;
}

export function toSubnet(raw: NeutronSubnet): Subnet {
  return {
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : '',
    networkId: text(raw.network_id),
    cidr: text(raw.cidr),
    ipVersion: integer(raw.ip_version),
    gatewayIp: text(raw.gateway_ip),
    enableDhcp: boolean(raw.enable_dhcp),
  };
}
