// The simulator's memory: one World per simulator, one Tenant per account (project). Records hold
// the facts in the simulator's own terms (milliseconds, booleans); the service modules turn them
// into each service's JSON. Nothing here knows about HTTP.

import { Random } from './random.js';
import { Scheduler } from './scheduler.js';

export interface Account {
  tenantId: string;
  tenantName: string;
  /** NHN's extra `token.tenant.groupId`. */
  groupId: string;
  username: string;
  apiPassword: string;
  userId: string;
}

export interface Flavor {
  id: string;
  name: string;
  family: 'u2' | 'm2' | 'c2' | 'r2' | 't2' | 'x1' | 'g2';
  vcpus: number;
  ramMb: number;
  /** Local root disk; 0 for the volume-backed families (everything but u2). */
  diskGb: number;
  extraSpecs: Record<string, string>;
}

export interface Image {
  id: string;
  name: string;
  status: 'queued' | 'saving' | 'active';
  visibility: 'public' | 'private';
  owner: string;
  protected: boolean;
  minDiskGb: number;
  minRamMb: number;
  sizeBytes: number | null;
  checksum: string | null;
  containerFormat: string;
  diskFormat: string;
  createdAt: number;
  updatedAt: number;
  /** Glance tags (PUT/DELETE /v2/images/{id}/tags/{tag}); absent means none. */
  tags?: string[];
  /** NHN's image properties (os_type, os_distro, login_username...) and createImage metadata, all top-level keys in Glance. */
  properties: Record<string, string>;
}

export interface VolumeAttachment {
  serverId: string;
  device: string;
  attachmentId: string;
  attachedAt: number;
}

export interface Volume {
  id: string;
  name: string | null;
  description: string | null;
  sizeGb: number;
  /** Cinder statuses: available, attaching, in-use, detaching, creating... */
  status: string;
  zone: string;
  volumeType: string;
  bootable: boolean;
  createdAt: number;
  userId: string;
  metadata: Record<string, string>;
  attachment: VolumeAttachment | null;
  /** The root disk of a server that deletes it with the server (delete_on_termination). */
  deleteOnTermination: boolean;
  /** The snapshot it was created from (Cinder `snapshot_id`). */
  snapshotId?: string | null;
  /** Created with an encrypted type (NHN's Secure Key Manager key). */
  encrypted?: boolean;
}

/** A Cinder volume snapshot. */
export interface Snapshot {
  id: string;
  name: string | null;
  description: string | null;
  volumeId: string;
  /** The volume's size when taken (Cinder `size`, GB). */
  sizeGb: number;
  /** creating, available, deleting, error, error_deleting... */
  status: string;
  /** Cinder's `os-extended-snapshot-attributes:progress`, "0%" to "100%". */
  progress: string;
  createdAt: number;
  metadata: Record<string, string>;
}

export interface Keypair {
  /** Nova's integer row id, shown by GET /os-keypairs/{name}. */
  id: number;
  name: string;
  publicKey: string;
  fingerprint: string;
  userId: string;
  createdAt: number;
}

export interface Nic {
  networkId: string;
  networkName: string;
  subnetId: string;
  mac: string;
  ip: string;
  /** The Neutron port behind the interface (the network service's view of it). */
  portId: string;
  /** The floating IP associated with the port; the server's `addresses` show it. */
  floatingIp?: string;
}

export interface Fault {
  code: number;
  message: string;
  details: string;
  createdAt: number;
}

export type VmState =
  | 'building'
  | 'active'
  | 'stopped'
  | 'error'
  | 'paused'
  | 'suspended'
  | 'resized'
  | 'shelved'
  | 'shelved_offloaded'
  | 'deleted';

export interface Server {
  id: string;
  name: string;
  tenantId: string;
  userId: string;
  flavorId: string;
  /** "" for a server booted from a volume without imageRef. */
  imageId: string;
  keyName: string | null;
  zone: string;
  vmState: VmState;
  taskState: string | null;
  /** 0 no state, 1 running, 3 paused, 4 shut down, 6 crashed, 7 suspended. */
  powerState: number;
  createdAt: number;
  updatedAt: number;
  launchedAt: number | null;
  terminatedAt: number | null;
  securityGroups: string[];
  nics: Nic[];
  /** Attached volumes in attach order; the root volume (if any) first. */
  volumes: { volumeId: string; device: string }[];
  metadata: Record<string, string>;
  reservationId: string;
  fault: Fault | null;
  hostId: string;
  /** NHN-EXT-ATTR:ephemeral_disk_size */
  ephemeralDiskGb: number;
  /** NHN-EXT-ATTR:protect (deletion protection). */
  protect: boolean;
  /** The compute host it runs on (hidden, as from non-admins); "" when it has none (never scheduled, shelved offloaded). */
  host?: string;
  /**
   * Set while the server is still a build request (not yet scheduled to a cell): Nova then ignores
   * `changes-since` for it, shows the time of the read as `updated` (or the time of a rename), and a
   * delete leaves no DELETED row (live-and-scale.md A.5, Nova 26). Null once scheduled.
   */
  buildRequest: { renamedAt: number | null } | null;
  /** Serialized detail document; dropped whenever the server changes (see Tenant.touch). */
  detailJson?: string;
}

export interface SecurityGroupRule {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  /** null: any protocol. */
  protocol: string | null;
  portRangeMin: number | null;
  portRangeMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  description: string;
  createdAt: number;
}

/**
 * Servers name their groups (Nova's `security_groups`), so names are kept unique per tenant and the
 * map is keyed by name; a server's ports carry the groups its names resolve to.
 */
/** A Nova server group (NHN's placement policy). */
export interface ServerGroup {
  id: string;
  name: string;
  /** One element: 'anti-affinity' (the only one NHN offers) or 'affinity' (upstream's 2.0 schema). */
  policy: 'anti-affinity' | 'affinity';
  /** Servers added at create time; lists show only those that still exist. */
  memberIds: string[];
  createdAt: number;
}

export interface SecurityGroup {
  id: string;
  name: string;
  description: string;
  rules: SecurityGroupRule[];
  createdAt: number;
}

export interface FloatingIp {
  id: string;
  address: string;
  networkId: string;
  /** The associated port; null when not associated. */
  portId: string | null;
  /** NHN's extensions. */
  deleteProtection: boolean;
  label: string | null;
  createdAt: number;
}

export interface Network {
  id: string;
  name: string;
  external: boolean;
  subnetIds: string[];
}

export interface Subnet {
  id: string;
  name: string;
  networkId: string;
  cidr: string;
  gatewayIp: string;
  /** Last host number handed out; addresses are given in order, as Neutron's allocator tends to. */
  lastHost: number;
}

export const DEFAULT_INSTANCE_QUOTA = 10;
export const DEFAULT_KEYPAIR_QUOTA = 100;
/** Nova's quota defaults (conf/quota.py): server_groups 10, server_group_members 10, metadata_items 128. */
export const DEFAULT_SERVER_GROUP_QUOTA = 10;
export const DEFAULT_SERVER_GROUP_MEMBER_QUOTA = 10;
export const DEFAULT_METADATA_ITEMS_QUOTA = 128;

export class Tenant {
  /** Insertion order is creation order; lists show newest first (Nova sorts by created_at desc). */
  readonly servers = new Map<string, Server>();
  /** Deleted servers, still shown by `changes-since` queries with status DELETED. */
  readonly deletedServers: Server[] = [];
  readonly keypairs = new Map<string, Keypair>();
  readonly volumes = new Map<string, Volume>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly floatingIps = new Map<string, FloatingIp>();
  /** Server groups in creation order. */
  readonly serverGroups = new Map<string, ServerGroup>();
  readonly networks: Network[] = [];
  readonly subnets: Subnet[] = [];
  readonly quota = {
    instances: DEFAULT_INSTANCE_QUOTA,
    keyPairs: DEFAULT_KEYPAIR_QUOTA,
    serverGroups: DEFAULT_SERVER_GROUP_QUOTA,
    serverGroupMembers: DEFAULT_SERVER_GROUP_MEMBER_QUOTA,
    metadataItems: DEFAULT_METADATA_ITEMS_QUOTA,
  };
  nextKeypairRowId = 1;
  /** Bumped on every server change, so list caches know when they are stale. */
  version = 0;
  private newestFirstCache: { version: number; servers: Server[] } | undefined;

  constructor(readonly account: Account) {}

  get id(): string {
    return this.account.tenantId;
  }

  /** Records a change to a server: its `updated` time, its cached document and the list caches. */
  touch(server: Server, at: number): void {
    server.updatedAt = at;
    this.changed(server);
  }

  /**
   * Records a change that Nova keeps outside the instance row (volume attachments, ports and their
   * security groups): the document changes, `updated` does not, so `changes-since` does not list it.
   */
  changed(server: Server): void {
    server.detailJson = undefined;
    this.version++;
  }

  /** True while any server is a build request, whose `updated` moves with every read. */
  hasBuildRequests(): boolean {
    for (const server of this.servers.values()) if (server.buildRequest) return true;
    return false;
  }

  addServer(server: Server): void {
    this.servers.set(server.id, server);
    this.version++;
  }

  removeServer(server: Server, at: number): void {
    this.servers.delete(server.id);
    // A build request is deleted outright: no instance row, so nothing for changes-since to show.
    if (server.buildRequest) {
      this.version++;
      return;
    }
    server.vmState = 'deleted';
    server.taskState = null;
    server.powerState = 0;
    server.terminatedAt = at;
    this.touch(server, at);
    this.deletedServers.push(server);
  }

  /** The servers newest first, recomputed only after a change. */
  serversNewestFirst(): Server[] {
    if (this.newestFirstCache?.version !== this.version) {
      this.newestFirstCache = { version: this.version, servers: [...this.servers.values()].reverse() };
    }
    return this.newestFirstCache.servers;
  }
}

export class World {
  readonly tenants = new Map<string, Tenant>();
  readonly images = new Map<string, Image>();
  readonly scheduler = new Scheduler();
  flavors: Flavor[] = [];
  readonly flavorsById = new Map<string, Flavor>();
  /** Ids and values made at run time (new servers, volumes, addresses). */
  ids: Random;

  constructor(
    readonly seed: number,
    /** BUILD -> ACTIVE and every transitional state last this long. */
    readonly buildDelayMs: number,
    /** The simulator's origin, used in the links of every document. */
    public origin: string,
    /** How long a new server stays a build request (unscheduled) before its BUILD continues in a cell. */
    readonly scheduleDelayMs: number = Math.floor(buildDelayMs / 4),
    /** How long deleted servers stay visible to changes-since (Nova: until the operator archives them). */
    public deletedRetentionMs: number = 24 * 3_600_000,
  ) {
    this.ids = new Random(seed ^ 0x5eed);
  }

  setFlavors(flavors: Flavor[]): void {
    this.flavors = [...flavors].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.flavorsById.clear();
    for (const flavor of this.flavors) this.flavorsById.set(flavor.id, flavor);
  }

  /** Applies every state change whose time has come; called before each request is handled. */
  settle(now: number): void {
    this.scheduler.runDue(now);
  }

  /** Images a tenant can see: public ones and its own. */
  visibleImage(tenant: Tenant, id: string): Image | undefined {
    const image = this.images.get(id);
    if (!image || (image.visibility !== 'public' && image.owner !== tenant.id)) return undefined;
    return image;
  }
}
