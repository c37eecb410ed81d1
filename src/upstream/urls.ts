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

const VERSION_SEGMENT = /^v\d+(?:\.\d+)?$/;

/**
 * The route template of a path the gateway built (`/servers/0b5b.../action?x=1` ->
 * `/servers/{id}/action`), for metrics and spans: a value bounded by the code, never an id, a name
 * or a tenant. The NHN (OpenStack) APIs alternate collection and member segments after an optional
 * version: collections come from the code and are kept; members are ids or names a caller chose
 * (encoded by `segment`, so never a `/`) and become `{id}`, except the fixed `detail` listings.
 */
export function routeTemplate(path: string): string {
  const query = path.indexOf('?');
  const parts = (query === -1 ? path : path.slice(0, query)).split('/').filter((part) => part !== '');
  const start = parts.length > 0 && VERSION_SEGMENT.test(parts[0]!) ? 1 : 0;
  let template = start === 1 ? `/${parts[0]}` : '';
  for (let i = start; i < parts.length; i++) {
    const member = (i - start) % 2 === 1;
    template += member && parts[i] !== 'detail' ? '/{id}' : `/${parts[i]}`;
  }
  return template === '' ? '/' : template;
}
