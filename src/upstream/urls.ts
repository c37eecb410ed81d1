// URLs the gateway builds: endpoints from configured or catalog roots, and paths from ids and query
// values. Nothing here ever takes a host or path from a response body.

import { UpstreamError } from './errors.js';
import type { UpstreamService } from './types.js';

/** Where a service lives: its origin, and the path prefix every request path is put behind. */
export interface Endpoint {
  origin: string;
  basePath: string;
}

export function endpointFromRoot(root: string): Endpoint {
  const url = new URL(root);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/**
 * An id or name as one path segment. "." and ".." would climb out of the resource once a proxy
 * normalises the path, so they are refused outright.
 */
export function segment(service: UpstreamService, value: string): string {
  if (value === '' || /^\.+$/.test(value)) {
    throw new UpstreamError({ service, kind: 'http', status: 400, fault: 'badRequest', message: `"${value}" is not a valid id or name` });
  }
  return encodeURIComponent(value);
}

/** A query string from the defined values ('' when there are none). */
export function queryString(params: object): string {
  let query = '';
  for (const key in params) {
    const value = (params as Record<string, string | number | boolean | undefined>)[key];
    if (value === undefined) continue;
    query += `${query === '' ? '?' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  }
  return query;
}

/**
 * A query string where a value may be a list, sent as the key repeated (`?id=a&id=b`), the way
 * Neutron's list filters take "any of" ('' when there are no values).
 */
export function repeatedQueryString(params: Record<string, string | boolean | readonly string[] | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const values = typeof value === 'string' || typeof value === 'boolean' ? [String(value)] : value;
    for (const item of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(item)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
