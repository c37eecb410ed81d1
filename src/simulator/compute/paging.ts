// Nova's list paging (api/openstack/common.py): `limit` and `marker` in the query, at most
// max_limit (1000) items a page, and a `<collection>_links` next link only when the page is full.

import { novaError } from '../errors.js';

/**
 * When the query has no `limit`, upstream Nova uses max_limit (1000). NHN's guide says the default
 * is 100, but that is not what the code does and nothing observed confirms it, so Nova's rule wins.
 */
export const MAX_LIMIT = 1000;

export interface PageRequest {
  limit: number;
  marker: string | undefined;
}

/** Nova's _get_int_param messages: "limit param must be an integer" / "... must be positive". */
function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw novaError(400, `${name} param must be an integer`);
  const value = Number(raw);
  if (value < 0) throw novaError(400, `${name} param must be positive`);
  return value;
}

export function pageRequest(query: URLSearchParams): PageRequest {
  const limit = intParam(query, 'limit');
  return { limit: Math.min(MAX_LIMIT, limit ?? MAX_LIMIT), marker: query.get('marker') ?? undefined };
}

/**
 * One page of `items` (already filtered and ordered) after the marker. The marker is looked up
 * among `all` (unfiltered), as Nova looks it up by id before applying the sort keys.
 */
export function takePage<T>(all: readonly T[], matches: (item: T) => boolean, idOf: (item: T) => string, page: PageRequest): T[] {
  let started = page.marker === undefined;
  if (!started && !all.some((item) => idOf(item) === page.marker)) {
    throw novaError(400, `marker [${page.marker}] not found`);
  }
  const out: T[] = [];
  if (page.limit === 0) return out;
  for (const item of all) {
    if (!started) {
      started = idOf(item) === page.marker;
      continue;
    }
    if (matches(item)) {
      out.push(item);
      if (out.length === page.limit) break;
    }
  }
  return out;
}

/** `{"<name>_links": [{rel: next}]}` when the page is full: the original query with marker = the last id. */
export function nextLinks(collectionUrl: string, query: URLSearchParams, page: PageRequest, lastId: string | undefined, count: number): { href: string; rel: string }[] | undefined {
  if (lastId === undefined || count === 0 || count !== page.limit) return undefined;
  const params = new URLSearchParams(query);
  params.set('marker', lastId);
  return [{ href: `${collectionUrl}?${params.toString()}`, rel: 'next' }];
}
