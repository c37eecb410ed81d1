// A Nova server as the Server type reads it: statuses, power states and addresses normalised, each
// field converted when it is read.

import type { NovaServer } from '../../upstream/types.js';
import { boolean, text, integer, entries, list, record, type Entry } from '../readers.js';
import { optionalTimestamp } from '../datetime.js';
import { ADDRESS_TYPES, type AddressType, type PowerState, SERVER_STATUSES, type ServerStatus } from './enums.js';


// The NHN guide's spellings; the service itself answers with Nova's.
const STATUS_ALIASES: Record<string, ServerStatus> = {
  BUILDING: 'BUILD',
  STOPPED: 'SHUTOFF',
  RESIZED: 'RESIZE',
  RESCUED: 'RESCUE',
};

export function serverStatus(value: unknown): ServerStatus {
  if (typeof value !== 'string') return 'UNKNOWN';
  // Nova's own spelling first: read for every server of a page, it should not cost two new strings.
  if (Object.hasOwn(SERVER_STATUSES, value)) return value as ServerStatus;
  const upper = value.trim().toUpperCase();
  if (Object.hasOwn(SERVER_STATUSES, upper)) return upper as ServerStatus;
  return STATUS_ALIASES[upper] ?? 'UNKNOWN';
}

const POWER_STATE_CODES: Record<number, PowerState> = {
  0: 'NOSTATE',
  1: 'RUNNING',
  3: 'PAUSED',
  4: 'SHUTDOWN',
  6: 'CRASHED',
  7: 'SUSPENDED',
};

/** Null when absent or not a documented code (the field is nullable, and a guess would mislead). */
export function powerState(value: unknown): PowerState | null {
  const code = integer(value);
  return code === null ? null : (POWER_STATE_CODES[code] ?? null);
}

export function addressType(value: unknown): AddressType {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return Object.hasOwn(ADDRESS_TYPES, upper) ? (upper as AddressType) : 'UNKNOWN';
}
export interface ServerAddress {
  networkName: string;
  address: string;
  version: number;
  type: AddressType;
  macAddress: string | null;
}

export interface ServerFault {
  code: number;
  message: string;
  details: string | null;
  created: string | null;
}

export interface Server {
  id: string;
  name: string;
  status: ServerStatus;
  taskState: string | null;
  vmState: string | null;
  powerState: PowerState | null;
  tenantId: string | null;
  userId: string | null;
  hostId: string | null;
  keyName: string | null;
  flavorId: string | null;
  /** Null when the server boots from a volume (Nova sends `image: ""`). */
  imageId: string | null;
  addresses: ServerAddress[];
  securityGroups: string[];
  metadata: Entry[];
  availabilityZone: string | null;
  created: string | null;
  updated: string | null;
  launchedAt: string | null;
  terminatedAt: string | null;
  fault: ServerFault | null;
  progress: number | null;
  volumeIds: string[];
  /** NHN's deletion protection (`NHN-EXT-ATTR:protect`); null when absent. */
  deletionProtected: boolean | null;
  /** GB (`NHN-EXT-ATTR:ephemeral_disk_size`); null when absent. */
  ephemeralDiskSize: number | null;
  /** One metadata value as text (non-string values as JSON); null when the key is not set. */
  metadataValue(key: string): string | null;
}

function addresses(value: NovaServer['addresses']): ServerAddress[] {
  const result: ServerAddress[] = [];
  for (const [networkName, list] of Object.entries(value ?? {})) {
    for (const item of Array.isArray(list) ? list : []) {
      const address = text(item?.addr);
      if (address === null) continue;
      result.push({
        networkName,
        address,
        version: integer(item.version) ?? (address.includes(':') ? 6 : 4),
        type: addressType(item['OS-EXT-IPS:type']),
        macAddress: text(item['OS-EXT-IPS-MAC:mac_addr']),
      });
    }
  }
  return result;
}

function fault(value: NovaServer['fault']): ServerFault | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  return {
    code: integer(value.code) ?? 0,
    message: text(value.message) ?? 'No message from the upstream.',
    details: text(value.details),
    created: optionalTimestamp(value.created),
  };
}

function uniqueNames(groups: NovaServer['security_groups']): string[] {
  const names = (Array.isArray(groups) ? groups : []).map((g) => text(g?.name)).filter((n) => n !== null);
  return [...new Set(names)];
}

/**
 * A Nova server, each field converted from the raw body when it is read. The `servers` page maps 100
 * servers per request, and queries select a few of their fields: converting every field up front
 * (four timestamps, addresses, metadata, security groups) was most of that page's CPU and garbage
 * (issue #4). Reads are not memoised: GraphQL reads a selected field once per selection.
 */
class LazyServer implements Server {
  readonly #raw: NovaServer;

  constructor(raw: NovaServer) {
    this.#raw = raw;
  }

  get id(): string {
    return this.#raw.id;
  }
  get name(): string {
    const name = this.#raw.name;
    return typeof name === 'string' ? name : '';
  }
  get status(): ServerStatus {
    return serverStatus(this.#raw.status);
  }
  get taskState(): string | null {
    return text(this.#raw['OS-EXT-STS:task_state']);
  }
  get vmState(): string | null {
    return text(this.#raw['OS-EXT-STS:vm_state']);
  }
  get powerState(): PowerState | null {
    return powerState(this.#raw['OS-EXT-STS:power_state']);
  }
  get tenantId(): string | null {
    return text(this.#raw.tenant_id);
  }
  get userId(): string | null {
    return text(this.#raw.user_id);
  }
  get hostId(): string | null {
    return text(this.#raw.hostId);
  }
  get keyName(): string | null {
    return text(this.#raw.key_name);
  }
  get flavorId(): string | null {
    return text(this.#raw.flavor?.id);
  }
  get imageId(): string | null {
    const image = this.#raw.image;
    return image && typeof image === 'object' ? text(image.id) : null;
  }
  get addresses(): ServerAddress[] {
    return addresses(this.#raw.addresses);
  }
  get securityGroups(): string[] {
    return uniqueNames(this.#raw.security_groups);
  }
  get metadata(): Entry[] {
    return entries(this.#raw.metadata);
  }
  get availabilityZone(): string | null {
    return text(this.#raw['OS-EXT-AZ:availability_zone']);
  }
  get created(): string | null {
    return optionalTimestamp(this.#raw.created);
  }
  get updated(): string | null {
    return optionalTimestamp(this.#raw.updated);
  }
  get launchedAt(): string | null {
    return optionalTimestamp(this.#raw['OS-SRV-USG:launched_at']);
  }
  get terminatedAt(): string | null {
    return optionalTimestamp(this.#raw['OS-SRV-USG:terminated_at']);
  }
  get fault(): ServerFault | null {
    return fault(this.#raw.fault);
  }
  get progress(): number | null {
    return integer(this.#raw.progress);
  }
  get deletionProtected(): boolean | null {
    return boolean(this.#raw['NHN-EXT-ATTR:protect']);
  }
  get ephemeralDiskSize(): number | null {
    return integer(this.#raw['NHN-EXT-ATTR:ephemeral_disk_size']);
  }
  metadataValue(key: string): string | null {
    const metadata = record(this.#raw.metadata);
    if (!Object.hasOwn(metadata, key)) return null;
    return entries({ [key]: metadata[key] })[0]?.value ?? null;
  }
  get volumeIds(): string[] {
    return list(this.#raw['os-extended-volumes:volumes_attached']).map((v) => text(record(v).id)).filter((id) => id !== null);
  }
}

export function toServer(raw: NovaServer): Server {
  return new LazyServer(raw);
}
