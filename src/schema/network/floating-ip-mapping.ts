// Neutron floating IPs (with NHN's `delete_protection` and `label`) as the FloatingIp type reads them.

import type { NeutronFloatingIp } from '../../upstream/types.js';
import { boolean, text } from '../readers.js';

export interface FloatingIp {
  id: string;
  address: string | null;
  status: string | null;
  floatingNetworkId: string | null;
  fixedAddress: string | null;
  portId: string | null;
  deletionProtected: boolean | null;
  label: string | null;
}

export function toFloatingIp(raw: NeutronFloatingIp): FloatingIp {
  return {
    id: raw.id,
    address: text(raw.floating_ip_address),
    status: text(raw.status),
    floatingNetworkId: text(raw.floating_network_id),
    fixedAddress: text(raw.fixed_ip_address),
    portId: text(raw.port_id),
    deletionProtected: boolean(raw.delete_protection),
    label: text(raw.label),
  };
}
