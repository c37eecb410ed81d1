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
  | { removeSecurityGroup: { name: string } }
  | { shelve: null }
  | { unshelve: null };

/** A Nova server group (NHN's placement policy), `/os-server-groups`. */
export interface NovaServerGroup {
  id: string;
  name?: string;
  /** One element before microversion 2.64 (the only form on /v2): `anti-affinity` on NHN. */
  policies?: string[];
  /** The 2.64+ form of the same rule; not sent on /v2, read if it ever is. */
  policy?: string;
  /** Ids of the group's servers that still exist. */
  members?: string[];
  metadata?: Record<string, unknown>;
  [extra: string]: unknown;
}

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

export interface ImageListQuery {
  name?: string;
  status?: string;
  visibility?: string;
  tag?: string;
  /** Page size (Glance `limit`: NHN's default 100, at most 1000). */
  limit?: number;
  /** Glance `marker`: the id of the last image of the previous page. */
  marker?: string;
}

export interface ImageListPage {
  images: GlanceImage[];
  /** The marker of Glance's `next` link; absent on the last page. */
  nextMarker?: string;
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
  description?: string | null;
  /** "YYYY-MM-DDThh:mm:ss.ffffff", no zone. */
  created_at?: string;
  encrypted?: boolean | string;
  snapshot_id?: string | null;
  [extra: string]: unknown;
}

export interface CinderVolumeType {
  id: string;
  name?: string;
  description?: string | null;
  'os-volume-type-access:is_public'?: boolean;
  is_public?: boolean;
  extra_specs?: Record<string, string>;
  [extra: string]: unknown;
}

export interface CinderSnapshot {
  id: string;
  name?: string | null;
  description?: string | null;
  size?: number;
  status?: string;
  volume_id?: string;
  created_at?: string;
  metadata?: Record<string, string>;
  'os-extended-snapshot-attributes:progress'?: string;
  [extra: string]: unknown;
}

export interface VolumeListPage {
  volumes: CinderVolume[];
  /** The marker of Cinder's `volumes_links` next link; absent on the last page. */
  nextMarker?: string;
}

/** The Cinder create body's `volume` member, as the gateway builds it. */
export interface CinderCreateVolume {
  size: number;
  name?: string;
  description?: string;
  volume_type?: string;
  availability_zone?: string;
  snapshot_id?: string;
}

/** One Glance JSON-patch operation (media type application/openstack-images-v2.1-json-patch). */
export interface GlancePatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
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

export interface NeutronSecurityGroupRule {
  id: string;
  security_group_id?: string;
  direction?: string;
  ethertype?: string;
  /** A name, a number (as a string or a number), or null for any protocol. */
  protocol?: string | number | null;
  /** NHN's examples send ports as strings; Neutron answers numbers. */
  port_range_min?: number | string | null;
  port_range_max?: number | string | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  description?: string | null;
  tenant_id?: string;
  [extra: string]: unknown;
}

export interface NeutronSecurityGroup {
  id: string;
  name?: string;
  description?: string | null;
  tenant_id?: string;
  project_id?: string;
  security_group_rules?: NeutronSecurityGroupRule[];
  [extra: string]: unknown;
}

export interface NeutronPort {
  id: string;
  name?: string | null;
  status?: string;
  network_id?: string;
  mac_address?: string;
  fixed_ips?: { subnet_id?: string; ip_address?: string }[];
  device_id?: string | null;
  device_owner?: string | null;
  security_groups?: string[];
  tenant_id?: string;
  [extra: string]: unknown;
}

export interface NeutronFloatingIp {
  id: string;
  floating_ip_address?: string;
  floating_network_id?: string;
  fixed_ip_address?: string | null;
  port_id?: string | null;
  router_id?: string | null;
  status?: string;
  tenant_id?: string;
  /** NHN's extensions. */
  delete_protection?: boolean | string;
  label?: string | null;
  [extra: string]: unknown;
}

export interface NeutronSecurityGroupRuleRequest {
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype?: 'IPv4' | 'IPv6';
  protocol?: string;
  port_range_min?: number;
  port_range_max?: number;
  remote_ip_prefix?: string;
  remote_group_id?: string;
  description?: string;
}

export interface NeutronFloatingIpRequest {
  floating_network_id: string;
  port_id?: string;
  delete_protection?: boolean;
  label?: string;
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
  /** PUT /servers/{id}/metadata/{key} with `{meta: {key: value}}`; answers the `meta` object. */
  setServerMetadataItem(serverId: string, key: string, value: string): Promise<Record<string, unknown>>;
  /** DELETE /servers/{id}/metadata/{key} */
  deleteServerMetadataItem(serverId: string, key: string): Promise<void>;
  /** GET /os-server-groups (NHN's placement policies; at most 10 per project). */
  listServerGroups(): Promise<NovaServerGroup[]>;
  /** GET /os-server-groups/{id}; null on 404. */
  getServerGroup(id: string): Promise<NovaServerGroup | null>;
  /** POST /os-server-groups (Nova answers 200). */
  createServerGroup(input: { name: string; policies: string[] }): Promise<NovaServerGroup>;
  /** DELETE /os-server-groups/{id} */
  deleteServerGroup(id: string): Promise<void>;
}

export interface ImageApi {
  /** GET /v2/images/{id}; null on 404 (cached per scope). */
  getImage(id: string): Promise<GlanceImage | null>;
  /**
   * The images with these ids, in one `GET /v2/images?id=in:...` (falling back to per-id GETs for
   * ids the list did not answer), served from the cache where possible. Missing ids are absent.
   */
  getImages(ids: readonly string[]): Promise<Map<string, GlanceImage>>;
  /** GET /v2/images with Glance's filters, one page (`next` link read for the following marker). Not cached. */
  listImages(query: ImageListQuery): Promise<ImageListPage>;
  /** Drops cached image metadata of this scope (after createServerImage). */
  invalidate(): void;
  /** PATCH /v2/images/{id} (JSON patch); answers the image as changed. Drops the scope's cached images. */
  updateImage(id: string, operations: GlancePatchOperation[]): Promise<GlanceImage>;
  /** DELETE /v2/images/{id}. Drops the scope's cached images. */
  deleteImage(id: string): Promise<void>;
  /** PUT /v2/images/{id}/tags/{tag}. Drops the scope's cached images. */
  addImageTag(id: string, tag: string): Promise<void>;
  /** DELETE /v2/images/{id}/tags/{tag}. Drops the scope's cached images. */
  removeImageTag(id: string, tag: string): Promise<void>;
}

export interface VolumeApi {
  /** GET /v2/{tenantId}/volumes/{id}; null on 404. */
  getVolume(id: string): Promise<CinderVolume | null>;
  /** The volumes with these ids: one `GET /volumes/{id}` per id, in parallel (Cinder v2 has no id-list filter). */
  getVolumes(ids: readonly string[]): Promise<Map<string, CinderVolume>>;
  /** GET /volumes/detail, one page (Cinder `limit` and `marker`; `volumes_links` read for the next marker). */
  listVolumes(query: { limit?: number; marker?: string }): Promise<VolumeListPage>;
  /** POST /volumes; answers the volume as created (`creating`). */
  createVolume(volume: CinderCreateVolume): Promise<CinderVolume>;
  /** PUT /volumes/{id} with name and/or description. */
  updateVolume(id: string, changes: { name?: string; description?: string }): Promise<CinderVolume>;
  /** POST /volumes/{id}/action `os-extend` (202, no body). */
  extendVolume(id: string, newSize: number): Promise<void>;
  /** DELETE /volumes/{id} (202). */
  deleteVolume(id: string): Promise<void>;
  /** GET /types */
  listVolumeTypes(): Promise<CinderVolumeType[]>;
  /** GET /snapshots/detail, every page: the tenant's snapshots (with progress). */
  listSnapshots(): Promise<CinderSnapshot[]>;
  /** GET /snapshots/{id}; null on 404. */
  getSnapshot(id: string): Promise<CinderSnapshot | null>;
  /** POST /snapshots; answers the snapshot as created (`creating`). */
  createSnapshot(snapshot: { volume_id: string; name?: string; description?: string; force?: boolean }): Promise<CinderSnapshot>;
  /** DELETE /snapshots/{id} (202). */
  deleteSnapshot(id: string): Promise<void>;
}

export interface NetworkApi {
  listNetworks(query?: { external?: boolean }): Promise<NeutronNetwork[]>;
  listSubnets(query?: { networkId?: string }): Promise<NeutronSubnet[]>;
  /** GET /v2.0/security-groups: the project's groups with their rules. */
  listSecurityGroups(): Promise<NeutronSecurityGroup[]>;
  createSecurityGroup(input: { name: string; description?: string }): Promise<NeutronSecurityGroup>;
  updateSecurityGroup(id: string, changes: { name?: string; description?: string }): Promise<NeutronSecurityGroup>;
  deleteSecurityGroup(id: string): Promise<void>;
  createSecurityGroupRule(rule: NeutronSecurityGroupRuleRequest): Promise<NeutronSecurityGroupRule>;
  deleteSecurityGroupRule(id: string): Promise<void>;
  /** NHN's GET /v2.0/security-group-ports?security_group_id=: the ports that use a group. */
  listSecurityGroupPorts(securityGroupId: string): Promise<NeutronPort[]>;
  /** GET /v2.0/ports filtered by device (server) ids or by ids, and by network (lists repeated as Neutron takes them). */
  listPorts(query?: { ids?: readonly string[]; deviceIds?: readonly string[]; networkId?: string }): Promise<NeutronPort[]>;
  /**
   * GET /v2.0/floatingips, all of them or those with these ids or on these ports (lists sent as the
   * key repeated, split into calls of at most IDS_PER_QUERY values, made at once).
   */
  listFloatingIps(query?: { ids?: readonly string[]; portIds?: readonly string[] }): Promise<NeutronFloatingIp[]>;
  createFloatingIp(input: NeutronFloatingIpRequest): Promise<NeutronFloatingIp>;
  /** PUT /v2.0/floatingips/{id}: `port_id` associates (null disassociates); NHN's label and delete_protection. */
  updateFloatingIp(id: string, changes: { port_id?: string | null; label?: string; delete_protection?: boolean }): Promise<NeutronFloatingIp>;
  deleteFloatingIp(id: string): Promise<void>;
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
