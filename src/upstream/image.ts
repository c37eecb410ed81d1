// Glance v2 (`{image}/v2/images`): image metadata, cached per scope, looked up in batches.

import { invalidResponse, isRecord, member } from './http.js';
import { queryString, segment } from './urls.js';
import type { Session } from './session.js';
import type { GlanceImage, GlancePatchOperation, ImageApi, ImageListPage, ImageListQuery } from './types.js';

/**
 * Glance statuses an image stays in (active, or gone for good). `queued`, `saving`, `importing`,
 * `uploading` and `pending_delete` pass within seconds or minutes, so such an image is not cached:
 * a snapshot read right after createImage would otherwise show `queued` for the whole TTL.
 */
const SETTLED_IMAGE_STATUSES = new Set(['active', 'killed', 'deleted', 'deactivated']);

export function isSettledImage(image: GlanceImage): boolean {
  return typeof image.status === 'string' && SETTLED_IMAGE_STATUSES.has(image.status);
}

/** Glance's JSON-patch media type (draft 10); plain JSON is refused with 415. */
export const JSON_PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';

/** Any base would do: only the `marker` of Glance's relative `next` link is read, never a host. */
const LINK_BASE = 'http://next.invalid';

/** Ids per `id=in:` list call: keeps the URL well under common 8 KB request-line limits. */
const IDS_PER_LIST_CALL = 100;

export class Image implements ImageApi {
  constructor(private readonly session: Session) {}

  async getImage(id: string): Promise<GlanceImage | null> {
    const load = this.session.core.caches.images.load(this.session.scope, id, () => this.#fetchOne(id));
    return (await this.session.waitFor(load, 'image')) ?? null;
  }

  /**
   * Cached ids cost nothing; the rest come from ONE `GET /v2/images?id=in:...` (per 100 ids), and
   * only the ids that list did not answer are fetched one by one: a Glance older than Mitaka takes
   * `in:` for a literal id and answers an empty list, and the list hides community images.
   */
  getImages(ids: readonly string[]): Promise<Map<string, GlanceImage>> {
    if (ids.length === 0) return Promise.resolve(new Map());
    const load = this.session.core.caches.images.loadMany(this.session.scope, ids, (missing) => this.#fetchMany(missing));
    return this.session.waitFor(load, 'image');
  }

  /**
   * One page of `GET /v2/images` with Glance's filters. Glance sends `next` (a relative path with the
   * original query and `marker=<last id>`) only when the page came back full; its marker is the
   * next page's start.
   */
  async listImages(query: ImageListQuery): Promise<ImageListPage> {
    const params: Record<string, string | number | undefined> = {
      name: query.name,
      status: query.status,
      visibility: query.visibility,
      tag: query.tag,
      limit: query.limit,
      marker: query.marker,
    };
    const response = await this.session.call('image', 'GET', `/v2/images${queryString(params)}`);
    const images = member<GlanceImage[]>('image', response.body, 'images', 'array', 'id');
    const next = (response.body as { next?: unknown }).next;
    let nextMarker: string | undefined;
    if (typeof next === 'string' && next !== '') {
      try {
        nextMarker = new URL(next, LINK_BASE).searchParams.get('marker') ?? images.at(-1)?.id;
      } catch {
        nextMarker = images.at(-1)?.id;
      }
    }
    return { images, nextMarker: images.length === 0 ? undefined : nextMarker };
  }

  invalidate(): void {
    this.session.core.caches.images.invalidate(this.session.scope);
  }

  // Each change drops the scope's cached images, also after a failure: a timed-out call may still
  // have changed the image.

  async updateImage(id: string, operations: GlancePatchOperation[]): Promise<GlanceImage> {
    try {
      const path = `/v2/images/${segment('image', id)}`;
      const response = await this.session.call('image', 'PATCH', path, { body: operations, contentType: JSON_PATCH_TYPE });
      if (!isRecord(response.body) || typeof response.body.id !== 'string') throw invalidResponse('image', 'is not an image');
      return response.body as GlanceImage;
    } finally {
      this.invalidate();
    }
  }

  async deleteImage(id: string): Promise<void> {
    try {
      await this.session.call('image', 'DELETE', `/v2/images/${segment('image', id)}`);
    } finally {
      this.invalidate();
    }
  }

  async addImageTag(id: string, tag: string): Promise<void> {
    try {
      await this.session.call('image', 'PUT', `/v2/images/${segment('image', id)}/tags/${segment('image', tag)}`);
    } finally {
      this.invalidate();
    }
  }

  async removeImageTag(id: string, tag: string): Promise<void> {
    try {
      await this.session.call('image', 'DELETE', `/v2/images/${segment('image', id)}/tags/${segment('image', tag)}`);
    } finally {
      this.invalidate();
    }
  }

  async #fetchMany(ids: string[]): Promise<Map<string, GlanceImage>> {
    const found = new Map<string, GlanceImage>();
    // One id: the direct GET costs the same one call and never needs a fallback.
    if (ids.length > 1) {
      // `in:` splits on commas and treats quotes specially: such ids go the per-id way.
      const listable = ids.filter((id) => !/[,"]/.test(id));
      const calls: Promise<void>[] = [];
      for (let start = 0; start < listable.length; start += IDS_PER_LIST_CALL) {
        calls.push(this.#list(listable.slice(start, start + IDS_PER_LIST_CALL), found));
      }
      await Promise.all(calls);
    }
    const unanswered = ids.filter((id) => !found.has(id));
    const singles = await Promise.all(unanswered.map((id) => this.#fetchOne(id)));
    singles.forEach((image, index) => image !== undefined && found.set(unanswered[index]!, image));
    return found;
  }

  async #list(ids: string[], found: Map<string, GlanceImage>): Promise<void> {
    const path = `/v2/images${queryString({ id: `in:${ids.join(',')}`, limit: ids.length })}`;
    const response = await this.session.call('image', 'GET', path, { shared: true });
    const wanted = new Set(ids);
    // An image the list lacks (or lists without its id) is fetched on its own.
    for (const image of member<GlanceImage[]>('image', response.body, 'images', 'array')) {
      if (typeof image.id === 'string' && wanted.has(image.id)) found.set(image.id, image);
    }
  }

  async #fetchOne(id: string): Promise<GlanceImage | undefined> {
    const path = `/v2/images/${segment('image', id)}`;
    const response = await this.session.call('image', 'GET', path, { notFoundIsNull: true, shared: true });
    if (response.status === 404) return undefined;
    if (!isRecord(response.body) || typeof response.body.id !== 'string') throw invalidResponse('image', 'is not an image');
    return response.body as GlanceImage;
  }
}
