// Neutron ports as the Port type reads them.

import type { NeutronPort } from '../../upstream/types.js';
import { list, record, text } from '../readers.js';

export interface FixedIp {
  subnetId: string;
  ipAddress: string;
}

export interface Port {
  id: string;
  name: string | null;
  status: string | null;
  networkId: string | null;
  macAddress: string | null;
  fixedIps: FixedIp[];
  /** `device_id` when a server (`device_owner` compute:*) uses the port. */
  serverId: string | null;
  securityGroupIds: string[];
}

export function toPort(raw: NeutronPort): Port {
  const owner = text(raw.device_owner);
  return {
    id: raw.id,
    name: text(raw.name),
    status: text(raw.status),
    networkId: text(raw.network_id),
    macAddress: text(raw.mac_address),
    fixedIps: list(raw.fixed_ips).flatMap((entry) => {
      const { subnet_id: subnetId, ip_address: ipAddress } = record(entry);
      return typeof subnetId === 'string' && typeof ipAddress === 'string' ? [{ subnetId, ipAddress }] : [];
    }),
    serverId: owner !== null && owner.startsWith('compute:') ? text(raw.device_id) : null,
    securityGroupIds: list(raw.security_groups).filter((id): id is string => typeof id === 'string' && id !== ''),
  };
}
