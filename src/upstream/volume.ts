// Cinder v2 (`{volume}/v2/{tenantId}`): volumes, volume types and snapshots.
//
// Several volumes are fetched with per-id GETs in parallel, not with `/volumes/detail`: Cinder v2 has
// no filter by a list of ids, so the list would page through the tenant's every volume to find the
// two or three attached to a server; per-id calls cost exactly one call per volume asked for. Volumes
// and snapshots are not cached: their status and attachments change with every attach and detach.

import { invalidResponse, isRecord, member } from './http.js';
import { queryString, segment } from './urls.js';
import type { Session } from './session.js';
import type {
  CinderCreateVolume,
  CinderSnapshot,
  CinderVolume,
  CinderVolumeType,
  Link,
  VolumeApi,
  VolumeListPage,
} from './types.js';

/** Cinder pages at 1000 (NHN's osapi_max_limit); a tenant with more snapshots than this is not one we understand. */
const MAX_SNAPSHOT_PAGES = 20;
/** Only the `marker` of Cinder's next link is read, never its host. */
const LINK_BASE = 'http://next.invalid';

function nextMarker(links: unknown, last: { id: string } | undefined): string | undefined {
  if (last === undefined || !Array.isArray(links)) return undefined;
  const next = links.find((link: Link | null) => link?.rel === 'next') as Link | undefined;
  if (next === undefined) return undefined;
  try {
    return new URL(String(next.href), LINK_BASE).searchParams.get('marker') ?? last.id;
  } catch {
    return last.id;
  }
}

export class Volume implements VolumeApi {
  constructor(private readonly session: Session) {}

  async getVolume(id: string): Promise<CinderVolume | null> {
    const response = await this.session.call('volume', 'GET', `/volumes/${segment('volume', id)}`, { notFoundIsNull: true });
    return response.status === 404 ? null : member<CinderVolume>('volume', response.body, 'volume', 'object', 'id');
  }

  async getVolumes(ids: readonly string[]): Promise<Map<string, CinderVolume>> {
    const unique = [...new Set(ids)];
    const volumes = await Promise.all(unique.map((id) => this.getVolume(id)));
    const found = new Map<string, CinderVolume>();
    volumes.forEach((volume, index) => volume !== null && found.set(unique[index]!, volume));
    return found;
  }

  async listVolumes(query: { limit?: number; marker?: string }): Promise<VolumeListPage> {
    const response = await this.session.call('volume', 'GET', `/volumes/detail${queryString(query)}`);
    const volumes = member<CinderVolume[]>('volume', response.body, 'volumes', 'array', 'id');
    const links = (response.body as { volumes_links?: unknown }).volumes_links;
    return { volumes, nextMarker: nextMarker(links, volumes.at(-1)) };
  }

  async createVolume(volume: CinderCreateVolume): Promise<CinderVolume> {
    const response = await this.session.call('volume', 'POST', '/volumes', { body: { volume } });
    return member<CinderVolume>('volume', response.body, 'volume', 'object', 'id');
  }

  async updateVolume(id: string, changes: { name?: string; description?: string }): Promise<CinderVolume> {
    const response = await this.session.call('volume', 'PUT', `/volumes/${segment('volume', id)}`, { body: { volume: changes } });
    return member<CinderVolume>('volume', response.body, 'volume', 'object', 'id');
  }

  async extendVolume(id: string, newSize: number): Promise<void> {
    await this.session.call('volume', 'POST', `/volumes/${segment('volume', id)}/action`, { body: { 'os-extend': { new_size: newSize } } });
  }

  async deleteVolume(id: string): Promise<void> {
    await this.session.call('volume', 'DELETE', `/volumes/${segment('volume', id)}`);
  }

  async listVolumeTypes(): Promise<CinderVolumeType[]> {
    const response = await this.session.call('volume', 'GET', '/types');
    return member<CinderVolumeType[]>('volume', response.body, 'volume_types', 'array', 'id');
  }

  /** Every page of `/snapshots/detail`, following `snapshots_links` by marker. */
  async listSnapshots(): Promise<CinderSnapshot[]> {
    let snapshots: CinderSnapshot[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_SNAPSHOT_PAGES; page++) {
      const response = await this.session.call('volume', 'GET', `/snapshots/detail${queryString({ marker })}`);
      const batch = member<CinderSnapshot[]>('volume', response.body, 'snapshots', 'array', 'id');
      snapshots = snapshots.length === 0 ? batch : snapshots.concat(batch);
      marker = nextMarker((response.body as { snapshots_links?: unknown }).snapshots_links, batch.at(-1));
      if (marker === undefined) break;
    }
    return snapshots;
  }

  async getSnapshot(id: string): Promise<CinderSnapshot | null> {
    const response = await this.session.call('volume', 'GET', `/snapshots/${segment('volume', id)}`, { notFoundIsNull: true });
    return response.status === 404 ? null : member<CinderSnapshot>('volume', response.body, 'snapshot', 'object', 'id');
  }

  async createSnapshot(snapshot: { volume_id: string; name?: string; description?: string; force?: boolean }): Promise<CinderSnapshot> {
    const response = await this.session.call('volume', 'POST', '/snapshots', { body: { snapshot } });
    if (!isRecord(response.body)) throw invalidResponse('volume', 'is not a JSON object');
    return member<CinderSnapshot>('volume', response.body, 'snapshot', 'object', 'id');
  }

  async deleteSnapshot(id: string): Promise<void> {
    await this.session.call('volume', 'DELETE', `/snapshots/${segment('volume', id)}`);
  }
}
