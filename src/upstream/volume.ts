// Cinder v2 (`{volume}/v2/{tenantId}/volumes`): volume lookups for the attachment relations.
//
// Several volumes are fetched with per-id GETs in parallel, not with `/volumes/detail`: Cinder v2 has
// no filter by a list of ids, so the list would page through the tenant's every volume to find the
// two or three attached to a server; per-id calls cost exactly one call per volume asked for. Volumes
// are not cached: their status and attachments change with every attach and detach.

import { member } from './http.js';
import { segment } from './urls.js';
import type { Session } from './session.js';
import type { CinderVolume, VolumeApi } from './types.js';

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
}
