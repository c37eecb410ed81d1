// Nova v2 (`{compute}/v2/{tenantId}`): flavors, availability zones, keypairs, servers, server actions,
// volume attachments, server metadata and server groups (NHN's placement policies).

import { invalidResponse, isRecord, member } from './http.js';
import { queryString, segment } from './urls.js';
import type { Session } from './session.js';
import type {
  ComputeApi,
  Link,
  NovaAvailabilityZone,
  NovaCreateServerRequest,
  NovaCreateServerResponse,
  NovaFlavor,
  NovaKeypair,
  NovaServer,
  NovaServerAction,
  NovaServerGroup,
  NovaVolumeAttachment,
  ServerListPage,
  ServerListQuery,
} from './types.js';

const NOT_FOUND_IS_NULL = { notFoundIsNull: true } as const;
const FLAVOR_CATALOGUE_KEY = 'detail';
/** Nova pages at 1000 flavors; a cloud with more than this many pages is not one we understand. */
const MAX_FLAVOR_PAGES = 20;

export class Compute implements ComputeApi {
  constructor(private readonly session: Session) {}

  /**
   * Served from the cached catalogue (one `GET /flavors/detail` per scope and TTL), filtering locally
   * with Nova's own rule (`ram >= minRam`, `disk >= minDisk`), so that filtered queries cost no call.
   */
  async listFlavors(query: { minDisk?: number; minRam?: number } = {}): Promise<NovaFlavor[]> {
    const flavors = await this.#flavorCatalogue();
    const { minDisk, minRam } = query;
    if (minDisk === undefined && minRam === undefined) return flavors;
    return flavors.filter((flavor) => (flavor.disk ?? 0) >= (minDisk ?? 0) && (flavor.ram ?? 0) >= (minRam ?? 0));
  }

  /** From the cached catalogue when there is one; else `GET /flavors/{id}` (private flavors too). */
  async getFlavor(id: string): Promise<NovaFlavor | null> {
    const cached = await this.session.core.caches.flavors.peek(this.session.scope, FLAVOR_CATALOGUE_KEY);
    const known = cached?.find((flavor) => flavor.id === id);
    if (known !== undefined) return known;
    const response = await this.session.call('compute', 'GET', `/flavors/${segment('compute', id)}`, NOT_FOUND_IS_NULL);
    return response.status === 404 ? null : member<NovaFlavor>('compute', response.body, 'flavor', 'object', 'id');
  }

  async listAvailabilityZones(): Promise<NovaAvailabilityZone[]> {
    const response = await this.session.call('compute', 'GET', '/os-availability-zone');
    return member<NovaAvailabilityZone[]>('compute', response.body, 'availabilityZoneInfo', 'array');
  }

  /** Cached per caller identity: keypairs belong to the user, not to the project. */
  async listKeypairs(): Promise<NovaKeypair[]> {
    const { caches } = this.session.core;
    const load = caches.keypairs.load(this.session.identityScope, 'all', () => this.#fetchKeypairs());
    return (await this.session.waitFor(load, 'compute')) ?? [];
  }

  async getKeypair(name: string): Promise<NovaKeypair | null> {
    const response = await this.session.call('compute', 'GET', `/os-keypairs/${segment('compute', name)}`, NOT_FOUND_IS_NULL);
    return response.status === 404 ? null : member<NovaKeypair>('compute', response.body, 'keypair', 'object', 'name');
  }

  /** The answer carries `private_key` when Nova generated the pair; it is handed over, never cached. */
  async createKeypair(input: { name: string; public_key?: string }): Promise<NovaKeypair> {
    const keypair: { name: string; public_key?: string } = { name: input.name };
    if (input.public_key !== undefined) keypair.public_key = input.public_key;
    try {
      const response = await this.session.call('compute', 'POST', '/os-keypairs', { body: { keypair } });
      return member<NovaKeypair>('compute', response.body, 'keypair', 'object', 'name');
    } finally {
      // Also after a failure: a timed-out create may still have happened.
      this.#forgetKeypairs();
    }
  }

  async deleteKeypair(name: string): Promise<void> {
    try {
      await this.session.call('compute', 'DELETE', `/os-keypairs/${segment('compute', name)}`);
    } finally {
      this.#forgetKeypairs();
    }
  }

  async listServers(query: ServerListQuery, options: { detail?: boolean } = {}): Promise<ServerListPage> {
    const path = options.detail === false ? '/servers' : '/servers/detail';
    const response = await this.session.call('compute', 'GET', path + queryString(query));
    const servers = member<NovaServer[]>('compute', response.body, 'servers', 'array', 'id');
    const links = (response.body as { servers_links?: unknown }).servers_links;
    return { servers, hasNextPage: hasNextLink(links) };
  }

  async getServer(id: string): Promise<NovaServer | null> {
    const response = await this.session.call('compute', 'GET', `/servers/${segment('compute', id)}`, NOT_FOUND_IS_NULL);
    return response.status === 404 ? null : member<NovaServer>('compute', response.body, 'server', 'object', 'id');
  }

  async createServer(body: NovaCreateServerRequest): Promise<NovaCreateServerResponse> {
    const response = await this.session.call('compute', 'POST', '/servers', { body });
    if (!isRecord(response.body)) throw invalidResponse('compute', 'is not a JSON object');
    return response.body as NovaCreateServerResponse;
  }

  async updateServer(id: string, changes: { name: string }): Promise<NovaServer> {
    const body = { server: { name: changes.name } };
    const response = await this.session.call('compute', 'PUT', `/servers/${segment('compute', id)}`, { body });
    return member<NovaServer>('compute', response.body, 'server', 'object', 'id');
  }

  async deleteServer(id: string): Promise<void> {
    await this.session.call('compute', 'DELETE', `/servers/${segment('compute', id)}`);
  }

  /** `location` is Nova's Location header (createImage); only its last path segment is meaningful. */
  async serverAction(id: string, action: NovaServerAction): Promise<{ location?: string }> {
    try {
      const response = await this.session.call('compute', 'POST', `/servers/${segment('compute', id)}/action`, { body: action });
      const location = response.headers.location;
      return { location: Array.isArray(location) ? location[0] : location };
    } finally {
      if ('createImage' in action) this.session.image.invalidate();
    }
  }

  async listVolumeAttachments(serverId: string, query: { limit?: number; offset?: number } = {}): Promise<NovaVolumeAttachment[]> {
    const path = `/servers/${segment('compute', serverId)}/os-volume_attachments${queryString(query)}`;
    const response = await this.session.call('compute', 'GET', path);
    return member<NovaVolumeAttachment[]>('compute', response.body, 'volumeAttachments', 'array', 'volumeId');
  }

  async getVolumeAttachment(serverId: string, volumeId: string): Promise<NovaVolumeAttachment | null> {
    const path = `/servers/${segment('compute', serverId)}/os-volume_attachments/${segment('compute', volumeId)}`;
    const response = await this.session.call('compute', 'GET', path, NOT_FOUND_IS_NULL);
    return response.status === 404 ? null : member<NovaVolumeAttachment>('compute', response.body, 'volumeAttachment', 'object', 'volumeId');
  }

  async attachVolume(serverId: string, input: { volumeId: string; device?: string }): Promise<NovaVolumeAttachment> {
    const volumeAttachment: { volumeId: string; device?: string } = { volumeId: input.volumeId };
    if (input.device !== undefined) volumeAttachment.device = input.device;
    const path = `/servers/${segment('compute', serverId)}/os-volume_attachments`;
    const response = await this.session.call('compute', 'POST', path, { body: { volumeAttachment } });
    return member<NovaVolumeAttachment>('compute', response.body, 'volumeAttachment', 'object', 'volumeId');
  }

  async detachVolume(serverId: string, volumeId: string): Promise<void> {
    const path = `/servers/${segment('compute', serverId)}/os-volume_attachments/${segment('compute', volumeId)}`;
    await this.session.call('compute', 'DELETE', path);
  }

  async setServerMetadataItem(serverId: string, key: string, value: string): Promise<Record<string, unknown>> {
    const path = `/servers/${segment('compute', serverId)}/metadata/${segment('compute', key)}`;
    const response = await this.session.call('compute', 'PUT', path, { body: { meta: { [key]: value } } });
    return member<Record<string, unknown>>('compute', response.body, 'meta', 'object');
  }

  async deleteServerMetadataItem(serverId: string, key: string): Promise<void> {
    await this.session.call('compute', 'DELETE', `/servers/${segment('compute', serverId)}/metadata/${segment('compute', key)}`);
  }

  async listServerGroups(): Promise<NovaServerGroup[]> {
    const response = await this.session.call('compute', 'GET', '/os-server-groups');
    return member<NovaServerGroup[]>('compute', response.body, 'server_groups', 'array', 'id');
  }

  async getServerGroup(id: string): Promise<NovaServerGroup | null> {
    const response = await this.session.call('compute', 'GET', `/os-server-groups/${segment('compute', id)}`, NOT_FOUND_IS_NULL);
    return response.status === 404 ? null : member<NovaServerGroup>('compute', response.body, 'server_group', 'object', 'id');
  }

  async createServerGroup(input: { name: string; policies: string[] }): Promise<NovaServerGroup> {
    const body = { server_group: { name: input.name, policies: input.policies } };
    const response = await this.session.call('compute', 'POST', '/os-server-groups', { body });
    return member<NovaServerGroup>('compute', response.body, 'server_group', 'object', 'id');
  }

  async deleteServerGroup(id: string): Promise<void> {
    await this.session.call('compute', 'DELETE', `/os-server-groups/${segment('compute', id)}`);
  }

  async #flavorCatalogue(): Promise<NovaFlavor[]> {
    const { caches } = this.session.core;
    const load = caches.flavors.load(this.session.scope, FLAVOR_CATALOGUE_KEY, () => this.#fetchFlavors());
    return (await this.session.waitFor(load, 'compute')) ?? [];
  }

  /** Every page of `/flavors/detail`, following `flavors_links` by marker (never by the link's host). */
  async #fetchFlavors(): Promise<NovaFlavor[]> {
    let flavors: NovaFlavor[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_FLAVOR_PAGES; page++) {
      const path = `/flavors/detail${queryString({ marker })}`;
      const response = await this.session.call('compute', 'GET', path, { shared: true });
      const batch = member<NovaFlavor[]>('compute', response.body, 'flavors', 'array', 'id');
      flavors = flavors.length === 0 ? batch : flavors.concat(batch);
      const links = (response.body as { flavors_links?: unknown }).flavors_links;
      if (batch.length === 0 || !hasNextLink(links)) break;
      marker = batch[batch.length - 1]!.id;
    }
    return flavors;
  }

  async #fetchKeypairs(): Promise<NovaKeypair[]> {
    const response = await this.session.call('compute', 'GET', '/os-keypairs', { shared: true });
    // Nova wraps each one: {"keypairs": [{"keypair": {...}}]}.
    const items = member<{ keypair: unknown }[]>('compute', response.body, 'keypairs', 'array');
    const keypairs: NovaKeypair[] = [];
    for (const item of items) {
      const keypair = member<NovaKeypair>('compute', item, 'keypair', 'object', 'name');
      // A list never carries private keys; should one ever appear, it must not enter the cache.
      const { private_key: _privateKey, ...publicFields } = keypair;
      keypairs.push(_privateKey === undefined ? keypair : publicFields);
    }
    return keypairs;
  }

  #forgetKeypairs(): void {
    this.session.core.caches.keypairs.invalidate(this.session.identityScope);
  }
}

function hasNextLink(links: unknown): boolean {
  return Array.isArray(links) && links.some((link: Link | null) => link?.rel === 'next');
}
