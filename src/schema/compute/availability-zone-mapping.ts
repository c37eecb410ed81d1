// A Nova availability zone as the AvailabilityZone type reads it.

import type { NovaAvailabilityZone } from '../../upstream/types.js';
import { text, boolean } from '../readers.js';

export interface AvailabilityZone {
  name: string;
  available: boolean;
}

export function toAvailabilityZone(raw: NovaAvailabilityZone): AvailabilityZone {
  return { name: text(raw.zoneName) ?? '', available: boolean(raw.zoneState?.available) ?? false };
}
