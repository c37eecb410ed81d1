// A Nova flavor as the Flavor type reads it (swap "" is 0, string booleans are booleans).

import type { NovaFlavor } from '../../upstream/types.js';
import { text, integer, decimal, boolean, entries, type Entry } from '../readers.js';

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  swap: number;
  ephemeral: number;
  rxtxFactor: number | null;
  isPublic: boolean;
  disabled: boolean;
  extraSpecs: Entry[];
}

export function toFlavor(raw: NovaFlavor): Flavor {
  return {
    id: String(raw.id),
    name: text(raw.name) ?? String(raw.id),
    vcpus: integer(raw.vcpus) ?? 0,
    ram: integer(raw.ram) ?? 0,
    disk: integer(raw.disk) ?? 0,
    // Nova sends swap "" when there is none.
    swap: integer(raw.swap) ?? 0,
    ephemeral: integer(raw['OS-FLV-EXT-DATA:ephemeral']) ?? 0,
    rxtxFactor: decimal(raw.rxtx_factor),
    isPublic: boolean(raw['os-flavor-access:is_public']) ?? true,
    disabled: boolean(raw['OS-FLV-DISABLED:disabled']) ?? false,
    extraSpecs: entries(raw.extra_specs),
  };
}
