// Raw upstream bodies -> the shapes the GraphQL types expose. NHN warns that fields may appear,
// vanish or change type (swap "" or a number, bootable "true" or true, timestamps with or without a
// zone), so every reader here tolerates what it does not expect instead of failing the query.

import type {
  CinderVolume,
  GlanceImage,
  KeystoneAccess,
  NeutronNetwork,
  NeutronSubnet,
  NovaAvailabilityZone,
  NovaFlavor,
  NovaKeypair,
  NovaServer,
  NovaVolumeAttachment,
} from '../upstream/types.js';
import { optionalTimestamp } from './datetime.js';
import { ADDRESS_TYPES, type AddressType, type PowerState, SERVER_STATUSES, type ServerStatus } from './enums.js';

// ---- scalars ---------------------------------------------------------------------------------------

export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

const INT_MAX = 2 ** 31 - 1;

/**
 * Integers that may arrive as numbers or digit strings; "" and anything else are null, and so is a
 * value GraphQL's Int (32 bits) cannot carry.
 */
export function integer(value: unknown): number | null {
  let number: number | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) number = Math.trunc(value);
  else if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) number = Math.trunc(Number(value));
  return number !== null && Math.abs(number) <= INT_MAX ? number : null;
}

/** The array `value` is, or an empty one: for lists that may arrive as anything. */
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function decimal(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** Booleans as JSON booleans, Cinder's "true"/"false" strings, or Nova's other spellings. */
export function boolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return null;
}

export interface Entry {
  key: string;
  value: string;
}

export function entries(value: unknown): Entry[] {
  if (value === null || typeof value !== 'object') return [];
  const found: Entry[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const text = typeof v === 'string' ? v : jsonText(v);
    if (text !== null) found.push({ key, value: text });
  }
  return found;
}

/** JSON text of a parsed upstream value; null for one nested too deeply to print (a RangeError). */
function jsonText(value: unknown): string | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

// ---- enums -----------------------------------------------------------------------------------------

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

// ---- compute ---------------------------------------------------------------------------------------

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
  get volumeIds(): string[] {
    return list(this.#raw['os-extended-volumes:volumes_attached']).map((v) => text(record(v).id)).filter((id) => id !== null);
  }
}

export function toServer(raw: NovaServer): Server {
  return new LazyServer(raw);
}

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

export interface Keypair {
  name: string;
  publicKey: string;
  fingerprint: string;
  userId: string | null;
  createdAt: string | null;
}

export function toKeypair(raw: NovaKeypair): Keypair {
  return {
    name: raw.name,
    publicKey: typeof raw.public_key === 'string' ? raw.public_key : '',
    fingerprint: typeof raw.fingerprint === 'string' ? raw.fingerprint : '',
    userId: text(raw.user_id),
    createdAt: optionalTimestamp(raw.created_at),
  };
}

export interface AvailabilityZone {
  name: string;
  available: boolean;
}

export function toAvailabilityZone(raw: NovaAvailabilityZone): AvailabilityZone {
  return { name: text(raw.zoneName) ?? '', available: boolean(raw.zoneState?.available) ?? false };
}

export interface VolumeAttachment {
  id: string;
  device: string | null;
  serverId: string;
  volumeId: string;
}

export function toVolumeAttachment(raw: NovaVolumeAttachment, serverId: string): VolumeAttachment {
  const volumeId = text(raw.volumeId) ?? text(raw.id) ?? '';
  // Nova's attachment id equals the volume id; keep that when the id is missing.
  return { id: text(raw.id) ?? volumeId, device: text(raw.device), serverId: text(raw.serverId) ?? serverId, volumeId };
}

// ---- image, volume, network --------------------------------------------------------------------------

export interface Image {
  id: string;
  name: string | null;
  status: string;
  minDisk: number | null;
  minRam: number | null;
  osType: string | null;
  osDistro: string | null;
  osVersion: string | null;
  visibility: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export function toImage(raw: GlanceImage): Image {
  return {
    id: raw.id,
    name: text(raw.name),
    status: text(raw.status) ?? 'unknown',
    minDisk: integer(raw.min_disk),
    minRam: integer(raw.min_ram),
    osType: text(raw.os_type),
    osDistro: text(raw.os_distro),
    osVersion: text(raw.os_version),
    visibility: text(raw.visibility),
    createdAt: optionalTimestamp(raw.created_at),
    updatedAt: optionalTimestamp(raw.updated_at),
  };
}

export interface Volume {
  id: string;
  name: string | null;
  size: number;
  status: string;
  volumeType: string | null;
  bootable: boolean;
  availabilityZone: string | null;
}

export function toVolume(raw: CinderVolume): Volume {
  return {
    id: raw.id,
    name: text(raw.name),
    size: integer(raw.size) ?? 0,
    status: text(raw.status) ?? 'unknown',
    volumeType: text(raw.volume_type),
    bootable: boolean(raw.bootable) ?? false,
    availabilityZone: text(raw.availability_zone),
  };
}

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

// ---- identity ---------------------------------------------------------------------------------------

export interface Token {
  id: string;
  issuedAt: string | null;
  expires: string | null;
  tenant: { id: string; name: string | null; description: string | null; enabled: boolean };
  serviceCatalog: { type: string; name: string; endpoints: { region: string | null; publicUrl: string }[] }[];
}

export function toToken(access: KeystoneAccess): Token {
  const tenant = record(access.token.tenant);
  return {
    id: access.token.id,
    issuedAt: optionalTimestamp(access.token.issued_at),
    expires: optionalTimestamp(access.token.expires),
    tenant: {
      id: text(tenant.id) ?? '',
      name: text(tenant.name),
      description: text(tenant.description),
      enabled: boolean(tenant.enabled) ?? true,
    },
    serviceCatalog: list(access.serviceCatalog).map(record).map((entry) => ({
      type: text(entry.type) ?? '',
      name: text(entry.name) ?? '',
      endpoints: list(entry.endpoints)
        .map(record)
        .filter((e) => typeof e.publicURL === 'string')
        .map((e) => ({ region: text(e.region), publicUrl: e.publicURL as string })),
    })),
  };
}
