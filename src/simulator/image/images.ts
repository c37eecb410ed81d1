// Glance v2: GET /v2/images/{id} and GET /v2/images with limit, marker, `next` links and filters
// (including `id=in:a,b,c`). Documents are flat, with NHN's image properties as top-level keys
// (nhn/image-image-get-resp.json). Errors are plain text, not JSON envelopes.

import type { RequestContext, Route } from '../context.js';
import { glanceError } from '../errors.js';
import { jsonReply, type Reply } from '../reply.js';
import type { Image, Tenant, World } from '../state.js';
import { isoSeconds } from '../time.js';

/** NHN raised Glance's default page size from 25 to 100; 1000 is the cap (larger limits are lowered). */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const VISIBILITIES = ['community', 'public', 'private', 'shared', 'all'];
/** The keys whose filter value may carry an operator (`in:` or `eq:`). */
const OPERATOR_KEYS = new Set(['id', 'name', 'status', 'container_format', 'disk_format']);
const SORT_KEYS: Record<string, (image: Image) => string | number | null> = {
  created_at: (i) => i.createdAt,
  updated_at: (i) => i.updatedAt,
  name: (i) => i.name,
  id: (i) => i.id,
  size: (i) => i.sizeBytes,
  status: (i) => i.status,
  min_disk: (i) => i.minDiskGb,
  min_ram: (i) => i.minRamMb,
};

export function imageDocument(image: Image): Record<string, unknown> {
  return {
    container_format: image.containerFormat,
    min_ram: image.minRamMb,
    updated_at: isoSeconds(image.updatedAt),
    file: `/v2/images/${image.id}/file`,
    owner: image.owner,
    id: image.id,
    size: image.sizeBytes,
    self: `/v2/images/${image.id}`,
    disk_format: image.diskFormat,
    schema: '/v2/schemas/image',
    status: image.status,
    tags: [...(image.tags ?? [])],
    visibility: image.visibility,
    min_disk: image.minDiskGb,
    virtual_size: null,
    name: image.name,
    created_at: isoSeconds(image.createdAt),
    protected: image.protected,
    checksum: image.checksum,
    ...image.properties,
  };
}

/** Glance's split_filter_value_for_quotes: commas separate values unless inside double quotes. */
function splitValues(text: string): string[] {
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      values.push(current);
      current = '';
    } else current += char;
  }
  values.push(current);
  return values;
}

function operatorFilter(key: string, raw: string): (value: string) => boolean {
  const colon = raw.indexOf(':');
  const operator = colon > 0 ? raw.slice(0, colon) : '';
  if (operator === 'in') {
    const allowed = new Set(splitValues(raw.slice(colon + 1)));
    return (value) => allowed.has(value);
  }
  if (operator === 'eq') return (value) => value === raw.slice(colon + 1);
  if (operator !== '' && key !== 'name') throw glanceError(400, `Unable to filter by unknown operator '${operator}'.`);
  return (value) => value === raw;
}

function limitParam(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null) return DEFAULT_LIMIT;
  if (!/^-?\d+$/.test(raw)) throw glanceError(400, 'limit param must be an integer');
  const limit = Number(raw);
  if (limit < 0) throw glanceError(400, 'limit param must be positive');
  return Math.min(limit, MAX_LIMIT);
}

function imageFilters(query: URLSearchParams, tenant: Tenant): ((image: Image) => boolean)[] {
  const filters: ((image: Image) => boolean)[] = [];
  for (const [key, raw] of query) {
    if (['limit', 'marker', 'sort_key', 'sort_dir', 'sort'].includes(key)) continue;
    if (key === 'changes-since') throw glanceError(400, 'The "changes-since" filter is no longer available on v2.');
    if (key === 'visibility') {
      if (!VISIBILITIES.includes(raw)) throw glanceError(400, `Invalid visibility value: ${raw}`);
      if (raw !== 'all') filters.push((i) => i.visibility === raw);
      continue;
    }
    if (key === 'tag') {
      // Repeated `tag` parameters must all be present (Glance db api `tags` filter).
      filters.push((i) => (i.tags ?? []).includes(raw));
      continue;
    }
    if (key === 'member_status') continue;
    if (key === 'owner') {
      filters.push((i) => i.owner === raw);
      continue;
    }
    if (key === 'size_min' || key === 'size_max') {
      if (!/^\d+$/.test(raw)) throw glanceError(400, `${key} param must be an integer`);
      const bound = Number(raw);
      filters.push(key === 'size_min' ? (i) => (i.sizeBytes ?? 0) >= bound : (i) => (i.sizeBytes ?? 0) <= bound);
      continue;
    }
    const test = OPERATOR_KEYS.has(key) ? operatorFilter(key, raw) : (value: string) => value === raw;
    // Any other key filters on an image property of that name (os_type=windows...).
    filters.push((image) => {
      const value = (imageDocument(image) as Record<string, unknown>)[key];
      return typeof value === 'string' && test(value);
    });
  }
  // Without a visibility filter Glance lists what the tenant may see: public, own and shared images.
  filters.push((i) => i.visibility === 'public' || i.owner === tenant.id);
  return filters;
}

function sortedImages(world: World, query: URLSearchParams): Image[] {
  const key = query.get('sort_key') ?? 'created_at';
  const dir = query.get('sort_dir') ?? 'desc';
  const valueOf = SORT_KEYS[key];
  if (!valueOf) throw glanceError(400, `Invalid sort key: ${key}.`);
  if (dir !== 'asc' && dir !== 'desc') throw glanceError(400, `Invalid sort direction: ${dir}`);
  const sign = dir === 'asc' ? 1 : -1;
  return [...world.images.values()].sort((a, b) => {
    const x = valueOf(a) ?? 0;
    const y = valueOf(b) ?? 0;
    // Glance adds id as the last sort key so that paging is stable.
    return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
  });
}

function listImages(ctx: RequestContext): Reply {
  const limit = limitParam(ctx.query);
  const filters = imageFilters(ctx.query, ctx.tenant);
  const marker = ctx.query.get('marker');
  let images = sortedImages(ctx.world, ctx.query);
  if (marker !== null) {
    const at = images.findIndex((i) => i.id === marker && ctx.world.visibleImage(ctx.tenant, i.id));
    if (at < 0) throw glanceError(400, `Marker ${marker} could not be found.`);
    images = images.slice(at + 1);
  }
  const page = images.filter((image) => filters.every((f) => f(image))).slice(0, limit);
  const withoutMarker = new URLSearchParams(ctx.query);
  withoutMarker.delete('marker');
  const first = withoutMarker.size > 0 ? `/v2/images?${withoutMarker.toString()}` : '/v2/images';
  const body: Record<string, unknown> = { images: page.map(imageDocument), schema: '/v2/schemas/images', first };
  // `next` only when the page came back full; a relative link, resolved against the image endpoint.
  if (page.length > 0 && page.length === limit) {
    withoutMarker.set('marker', page.at(-1)!.id);
    body.next = `/v2/images?${withoutMarker.toString()}`;
  }
  return jsonReply(200, body);
}

function showImage(ctx: RequestContext): Reply {
  const image = ctx.world.visibleImage(ctx.tenant, ctx.params[0]!);
  if (!image) throw glanceError(404, `No image found with ID ${ctx.params[0]}`);
  return jsonReply(200, imageDocument(image));
}

export const imageRoutes: Route[] = [
  { method: 'GET', template: '/v2/images', handler: listImages },
  { method: 'GET', template: '/v2/images/{id}', handler: showImage },
];
