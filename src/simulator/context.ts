// The contract between server.ts and the service modules: a route is a method and a template
// relative to its service root, and a handler that turns a request context into a Reply.

import type { Reply } from './reply.js';
import type { Tenant, World } from './state.js';
import type { TokenStore } from './identity.js';

export interface ServiceRoots {
  /** {origin}/compute/v2/{tenantId} (the catalog's compute publicURL). */
  compute: string;
  /** {origin}/compute/{tenantId}: Nova's bookmark links have no version. */
  computeBookmark: string;
  image: string;
  volume: string;
  volumeBookmark: string;
  network: string;
}

export interface RequestContext {
  world: World;
  /** The tenant the token belongs to (and the path names, where it names one). */
  tenant: Tenant;
  /** The `{id}` parts of the route template, in order. */
  params: string[];
  query: URLSearchParams;
  /** The parsed JSON body of POST/PUT/PATCH requests (undefined otherwise). */
  body: unknown;
  /** The request's Content-Type without parameters (Glance's PATCH checks its media type). */
  contentType?: string;
  now: number;
  roots: ServiceRoots;
}

export interface PublicContext {
  world: World;
  tokens: TokenStore;
  body: unknown;
  now: number;
}

export type Handler<C> = (ctx: C) => Reply | Promise<Reply>;

export interface Route<C = RequestContext> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the service root, ids as `{id}`: "/servers/{id}/action". */
  template: string;
  handler: Handler<C>;
}

export function serviceRoots(origin: string, tenantId: string): ServiceRoots {
  return {
    compute: `${origin}/compute/v2/${tenantId}`,
    computeBookmark: `${origin}/compute/${tenantId}`,
    image: `${origin}/image`,
    volume: `${origin}/volume/v2/${tenantId}`,
    volumeBookmark: `${origin}/volume/${tenantId}`,
    network: `${origin}/network`,
  };
}
