// The upstream bodies as NHN sends them (Keystone v2.0, Nova v2, Glance v2, Cinder v2, Neutron v2.0),
// typed loosely on purpose: NHN documents that undocumented fields may appear and documented ones may
// change type (swap "" or a number, bootable "true" or true, timestamps with or without a zone), so
// every field the gateway reads is optional or a union, and the schema layer maps them with care.

import type { RequestTelemetry } from '../observability/upstream.js';

export type UpstreamService = 'identity' | 'compute' | 'image' | 'volume' | 'network';

/** Who a GraphQL request acts as. */
export type Caller =
  | { kind: 'service' }
  | { kind: 'passthrough'; token: string; tenantId: string };

export interface Link {
  href: string;
  rel?: string;
}

// ---- identity ------------------------------------------------------------------------------

export interface KeystoneEndpoint {
  region?: string;
  publicURL?: string;
  [extra: string]: unknown;
}

export interface KeystoneCatalogEntry {
  type?: string;
  name?: string;
  endpoints?: KeystoneEndpoint[];
}

export interface KeystoneAccess {
  token: {
    id: string;
    expires: string;
    issued_at?: string;
    tenant?: { id?: string; name?: string; description?: string | null; enabled?: boolean; [extra: string]: unknown };
  };
  serviceCatalog?: KeystoneCatalogEntry[];
  user?: { id?: string; name?: string; username?: string; [extra: string]: unknown };
  [extra: string]: unknown;
}

// ---- compute -------------------------------------------------------------------------------

export interface NovaFlavor {
  id: string;
  name?: string;
  links?: Link[];
  ram?: number;
  vcpus?: number;
  disk?: number;
  /** MB; Nova sends "" when there is none. */
  swap?: number | string;
  'OS-FLV-DISABLED:disabled'?: boolean;
  'OS-FLV-EXT-DATA:ephemeral'?: number;
  'os-flavor-access:is_public'?: boolean;
  rxtx_factor?: number;
  extra_specs?: Record<string, string>;
  [extra: string]: unknown;
}

export interface NovaAddress {
  addr?: string;
  version?: number;
  'OS-EXT-IPS:type'?: string;
  'OS-EXT-IPS-MAC:mac_addr'?: string;
}

export interface NovaFault {
  code?: number;
  message?: string;
  details?: string;
  created?: string;
}

export interface NovaServer {
  id: string;
  name?: string;
  status?: string;
  links?: Link[];
  updated?: string;
  created?: string;
  hostId?: string;
  tenant_id?: string;
  user_id?: string;
  key_name?: string | null;
  /** `""` when the server boots from a volume. */
  image?: { id?: string; links?: Link[] } | string | null;
  flavor?: { id?: string; links?: Link[]; original_name?: string };
  addresses?: Record<string, NovaAddress[]>;
  security_groups?: { name?: string }[];
  metadata?: Record<string, string>;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-STS:vm_state'?: string | null;
  'OS-EXT-STS:power_state'?: number | null;
  'OS-EXT-AZ:availability_zone'?: string | null;
  'OS-SRV-USG:launched_at'?: string | null;
  'OS-SRV-USG:terminated_at'?: string | null;
  'OS-DCF:diskConfig'?: string;
  'os-extended-volumes:volumes_attached'?: { id?: string }[];
  fault?: NovaFault;
  progress?: number;
  [extra: string]: unknown;
}

export interface NovaKeypair {
  name: string;
  public_key?: string;
  fingerprint?: string;
  user_id?: string;
  created_at?: string | null;
  /** Only in the answer to a create that generated the pair. */
  private_key?: string;
  [extra: string]: unknown;
}

export interface NovaAvailabilityZone {
  zoneName?: string;
  zoneState?: { available?: boolean };
  hosts?: unknown;
}

export interface NovaVolumeAttachment {
  id?: string;
  device?: string | null;
  serverId?: string;
  volumeId?: string;
}

export interface ServerListQuery {
  /** Page size (Nova `limit`, at most 1000). */
  limit?: number;
  /** Nova `marker`: the id of the last server of the previous page. */
  marker?: string;
  name?: string;
  status?: string;
  flavor?: string;
  image?: string;
  'changes-since'?: string;
  reservation_id?: string;
}

export interface ServerListPage {
  servers: NovaServer[];
  /** True when Nova sent a `servers_links` next link (the page was full). */
  hasNextPage: boolean;
}

/** The Nova create body, as the gateway builds it (`server` plus optional scheduler hints). */
export interface NovaCreateServerRequest {
  server: Record<string, unknown>;
  'os:scheduler_hints'?: Record<string, unknown>;
}

export interface NovaCreateServerResponse {
  server?: { id: string; links?: Link[]; security_groups?: { name?: string }[]; adminPass?: string; [extra: string]: unknown };
  reservation_id?: string;
}

/** The body of `POST /servers/{id}/action`, one key naming the action. */
export type NovaServerAction =
  | { 'os-start': null }
  | { 'os-stop': null }
  | { reboot: { type: 'SOFT' | 'HARD' } }
  | { resize: { flavorRef: string; 'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL' } }
  | { createImage: { name: string; metadata?: Record<string, string> } }
  | { addSecurityGroup: { name: string } }
  | { removeSecurityGroup: { name: string } };

// ---- image ---------------------------------------------------------------------------------

export interface GlanceImage {
  id: string;
  name?: string | null;
  status?: string;
  min_disk?: number;
  min_ram?: number;
  visibility?: string;
  created_at?: string;
  updated_at?: string;
  os_type?: string;
  os_distro?: string;
  os_version?: string;
  [extra: string]: unknown;
}

// ---- volume --------------------------------------------------------------------------------

export interface CinderVolume {
  id: string;
  name?: string | null;
  size?: number;
  status?: string;
  volume_type?: string | null;
  /** Cinder sends the string "true" / "false". */
  bootable?: string | boolean;
  availability_zone?: string | null;
  attachments?: { server_id?: string; device?: string; volume_id?: string; attachment_id?: string }[];
  [extra: string]: unknown;
}

// ---- network -------------------------------------------------------------------------------

export interface NeutronNetwork {
  id: string;
  name?: string;
  status?: string;
  subnets?: string[];
  shared?: boolean;
  'router:external'?: boolean;
  admin_state_up?: boolean;
  tenant_id?: string;
  [extra: string]: unknown;
}

export interface NeutronSubnet {
  id: string;
  name?: string;
  network_id?: string;
  cidr?: string;
  ip_version?: number;
  gateway_ip?: string | null;
  enable_dhcp?: boolean;
  tenant_id?: string;
  [extra: string]: unknown;
}

// ---- the client the schema uses --------------------------------------------------------------
// One UpstreamSession per GraphQL request, bound to its caller and its deadline. Cross-request
// caches (flavor catalogue, images, keypairs) live behind these functions, keyed by region, tenant
// and, in pass-through mode, by a hash of the caller's token (a tenant header alone proves nothing);
// the gateway's own mutations invalidate them. Every failure is thrown as an UpstreamError.

export interface ComputeApi {
  /** GET /flavors/detail (cached per scope). */
  listFlavors(query?: { minDisk?: number; minRam?: number }): Promise<NovaFlavor[]>;
  /** GET /flavors/{id}; null on 404. */
  getFlavor(id: string): Promise<NovaFlavor | null>;
  /** GET /os-availability-zone */
  listAvailabilityZones(): Promise<NovaAvailabilityZone[]>;
  /** GET /os-keypairs (cached per caller identity). */
  listKeypairs(): Promise<NovaKeypair[]>;
  /** GET /os-keypairs/{name}; null on 404. */
  getKeypair(name: string): Promise<NovaKeypair | null>;
  /** POST /os-keypairs; the answer carries private_key when the pair was generated. */
  createKeypair(input: { name: string; public_key?: string }): Promise<NovaKeypair>;
  /** DELETE /os-keypairs/{name} */
  deleteKeypair(name: string): Promise<void>;
  /** GET /servers/detail, or GET /servers when `detail` is false (id, name, links only). */
  listServers(query: ServerListQuery, options?: { detail?: boolean }): Promise<ServerListPage>;
  /** GET /servers/{id}; null on 404. */
  getServer(id: string): Promise<NovaServer | null>;
  createServer(body: NovaCreateServerRequest): Promise<NovaCreateServerResponse>;
  /** PUT /servers/{id} with `{server: {name}}`; answers the full server. */
  updateServer(id: string, changes: { name: string }): Promise<NovaServer>;
  /** DELETE /servers/{id} */
  deleteServer(id: string): Promise<void>;
  /** POST /servers/{id}/action; `location` is the Location header (createImage). */
  serverAction(id: string, action: NovaServerAction): Promise<{ location?: string }>;
  listVolumeAttachments(serverId: string, query?: { limit?: number; offset?: number }): Promise<NovaVolumeAttachment[]>;
  /** null on 404. */
  getVolumeAttachment(serverId: string, volumeId: string): Promise<NovaVolumeAttachment | null>;
  attachVolume(serverId: string, input: { volumeId: string; device?: string }): Promise<NovaVolumeAttachment>;
  detachVolume(serverId: string, volumeId: string): Promise<void>;
}

export interface ImageApi {
  /** GET /v2/images/{id}; null on 404 (cached per scope). */
  getImage(id: string): Promise<GlanceImage | null>;
  /**
   * The images with these ids, in one `GET /v2/images?id=in:...` (falling back to per-id GETs for
   * ids the list did not answer), served from the cache where possible. Missing ids are absent.
   */
  getImages(ids: readonly string[]): Promise<Map<string, GlanceImage>>;
  /** Drops cached image metadata of this scope (after createServerImage). */
  invalidate(): void;
}

export interface VolumeApi {
  /** GET /v2/{tenantId}/volumes/{id}; null on 404. */
  getVolume(id: string): Promise<CinderVolume | null>;
  /** The volumes with these ids: one `GET /volumes/{id}` per id, in parallel (Cinder v2 has no id-list filter). */
  getVolumes(ids: readonly string[]): Promise<Map<string, CinderVolume>>;
}

export interface NetworkApi {
  listNetworks(): Promise<NeutronNetwork[]>;
  listSubnets(query?: { networkId?: string }): Promise<NeutronSubnet[]>;
}

export interface UpstreamSession {
  readonly caller: Caller;
  /** The tenant this session acts in. */
  readonly tenantId: string;
  readonly compute: ComputeApi;
  readonly image: ImageApi;
  readonly volume: VolumeApi;
  readonly network: NetworkApi;
}

export interface SessionOptions {
  signal?: AbortSignal;
  deadline?: number;
  /** The GraphQL request's telemetry: counts its upstream calls and parents their spans. */
  telemetry?: RequestTelemetry;
}

export interface UpstreamClient {
  /**
   * A session for one GraphQL request; `signal` aborts every call still running (the deadline).
   * `deadline` (epoch ms, default now + requestDeadlineMs) is when that signal will fire: no retry
   * wait is started that would end after it.
   */
  session(caller: Caller, options?: SessionOptions): UpstreamSession;
  /** POST /v2.0/tokens with the given credentials (the `issueToken` mutation); nothing is cached. */
  issueToken(input: { tenantId: string; username: string; password: string }, options?: { telemetry?: RequestTelemetry }): Promise<KeystoneAccess>;
  /** Resolves once the service account (if any) holds a token and its catalog (for /ready). */
  ready(): Promise<void>;
  close(): Promise<void>;
}
