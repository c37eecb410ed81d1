// Finding what a compute path or body names.

import { novaError } from '../errors.js';
import type { Server, Tenant } from '../state.js';

export function findServer(tenant: Tenant, id: string): Server {
  const server = tenant.servers.get(id);
  if (!server) throw novaError(404, `Instance ${id} could not be found.`);
  return server;
}

/** The last path segment of an href, or the value itself (Nova's common.get_id_from_href). */
export function idFromHref(value: string): string {
  return value.replace(/\/+$/, '').split('/').at(-1) ?? value;
}
