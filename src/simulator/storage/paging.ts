// Cinder's list paging (cinder/api/common.py): `limit` (NHN's osapi_max_limit is 1000: the default
// and the cap), `marker` (the last id of the previous page), `offset`, and `sort=key[:dir],...`
// (or the deprecated sort_key/sort_dir); a `<collection>_links` next link whenever the page holds as
// many items as the limit allowed.

import { novaError } from '../errors.js';

/** NHN's default and largest page (BS: "limit, NHN default 1000"). */
export const MAX_LIMIT = 1000;

interface Sortable {
  id: string;
  createdAt: number;
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw novaError(400, name === 'limit' ? 'limit param must be an integer' : `${name} must be an integer.`);
  }
  const value = Number(raw);
  if (value < 0) throw novaError(400, name === 'limit' ? 'limit param must be positive' : `${name} must be >= 0`);
  return value;
}

function sortSpec(query: URLSearchParams, keys: Record<string, unknown>): { key: string; dir: 'asc' | 'desc' }[] {
  const sort = query.get('sort');
  const legacyKey = query.get('sort_key');
  const legacyDir = query.get('sort_dir');
  if (sort !== null && (legacyKey !== null || legacyDir !== null)) {
    throw novaError(400, "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.");
  }
  const parts = sort !== null ? sort.split(',').map((p) => p.trim()) : [`${legacyKey ?? 'created_at'}:${legacyDir ?? 'desc'}`];
  return parts.map((part) => {
    const [key = '', dir = 'desc'] = part.split(':');
    if (!(key in keys)) throw novaError(400, `Invalid input received: Invalid sort key ${key}`);
    if (dir !== 'asc' && dir !== 'desc') throw novaError(400, `Invalid input received: Unknown sort direction, must be 'desc' or 'asc'`);
    return { key, dir };
  });
}

/**
 * One page of `items` as Cinder answers it, and the marker of the next link (undefined on the last
 * page). `valueOf` gives each sort key's value; `notFound` is the 404 for an unknown marker.
 */
export function cinderPage<T extends Sortable>(
  items: T[],
  query: URLSearchParams,
  valueOf: Record<string, (item: T) => string | number | null>,
  notFound: (marker: string) => Error,
): { page: T[]; nextMarker?: string } {
  const limit = Math.min(integerParam(query, 'limit', MAX_LIMIT), MAX_LIMIT);
  const offset = integerParam(query, 'offset', 0);
  const spec = sortSpec(query, valueOf);
  const sorted = [...items].sort((a, b) => {
    for (const { key, dir } of spec) {
      const x = valueOf[key]!(a) ?? '';
      const y = valueOf[key]!(b) ?? '';
      if (x !== y) return (x < y ? -1 : 1) * (dir === 'asc' ? 1 : -1);
    }
    // Cinder adds id as the last sort key, so that paging is stable.
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  });
  let start = 0;
  const marker = query.get('marker');
  if (marker !== null) {
    const at = sorted.findIndex((item) => item.id === marker);
    if (at < 0) throw notFound(marker);
    start = at + 1;
  }
  const page = sorted.slice(start + offset, start + offset + limit);
  const full = page.length > 0 && page.length === limit;
  return { page, nextMarker: full ? page.at(-1)!.id : undefined };
}

/** `{collection}_links` with the next link: the request's query with the new marker. */
export function nextLinks(base: string, query: URLSearchParams, nextMarker: string | undefined): { href: string; rel: string }[] | undefined {
  if (nextMarker === undefined) return undefined;
  const next = new URLSearchParams(query);
  next.delete('offset');
  next.set('marker', nextMarker);
  return [{ href: `${base}?${next.toString()}`, rel: 'next' }];
}
