// The server document of GET /servers/{id} and /servers/detail, in NHN's shape
// (nhn/compute-server-get-resp.json), and the short form of GET /servers. The detail document is
// serialized once per change and cached on the server, so a 100-server page is a string join.

import type { ServiceRoots } from '../context.js';
import type { Server } from '../state.js';
import { isoMicros, isoSeconds } from '../time.js';
import { resourceLinks } from './flavors.js';
import { serverStatus } from './lifecycle.js';

/** Nova shows `progress` only in these statuses (views/servers.py _progress_statuses). */
const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);
/** ...and `fault` only in these (views/servers.py _fault_statuses). */
const FAULT_STATUSES = new Set(['ERROR', 'DELETED']);

function addresses(server: Server) {
  const byNetwork: Record<string, unknown[]> = {};
  for (const nic of server.nics) {
    (byNetwork[nic.networkName] ??= []).push({
      'OS-EXT-IPS-MAC:mac_addr': nic.mac,
      version: 4,
      addr: nic.ip,
      'OS-EXT-IPS:type': 'fixed',
    });
    if (nic.floatingIp !== undefined) {
      byNetwork[nic.networkName]!.push({ 'OS-EXT-IPS-MAC:mac_addr': nic.mac, version: 4, addr: nic.floatingIp, 'OS-EXT-IPS:type': 'floating' });
    }
  }
  return byNetwork;
}

function bookmark(roots: ServiceRoots, collection: string, id: string) {
  return [{ href: `${roots.computeBookmark}/${collection}/${id}`, rel: 'bookmark' }];
}

function faultView(server: Server) {
  const fault = server.fault!;
  // Nova hides the details (a traceback) of a 500 fault from non-admin users.
  return {
    code: fault.code,
    created: isoSeconds(fault.createdAt),
    message: fault.message,
    ...(fault.code !== 500 ? { details: fault.details } : {}),
  };
}

/**
 * What Nova shows as `updated`: the instance row's updated_at, or for a build request (no row yet)
 * the time of a rename or else of the read itself (live-and-scale.md A.5).
 */
export function shownUpdatedAt(server: Server, now: number): number {
  return server.buildRequest ? (server.buildRequest.renamedAt ?? now) : server.updatedAt;
}

export function serverDetail(server: Server, roots: ServiceRoots, now = Date.now()): Record<string, unknown> {
  const status = serverStatus(server);
  const doc: Record<string, unknown> = {
    status,
    updated: isoSeconds(shownUpdatedAt(server, now)),
    hostId: server.hostId,
    addresses: addresses(server),
    links: resourceLinks(roots, 'servers', server.id),
    key_name: server.keyName,
    // A server booted from a volume without imageRef shows "" (Nova views/servers.py _get_image).
    image: server.imageId === '' ? '' : { id: server.imageId, links: bookmark(roots, 'images', server.imageId) },
    'OS-EXT-STS:task_state': server.taskState,
    'OS-EXT-STS:vm_state': server.vmState,
    'OS-SRV-USG:launched_at': server.launchedAt === null ? null : isoMicros(server.launchedAt),
    flavor: { id: server.flavorId, links: bookmark(roots, 'flavors', server.flavorId) },
    id: server.id,
    security_groups: server.securityGroups.map((name) => ({ name })),
    'OS-SRV-USG:terminated_at': server.terminatedAt === null ? null : isoMicros(server.terminatedAt),
    'OS-EXT-AZ:availability_zone': server.zone,
    user_id: server.userId,
    name: server.name,
    created: isoSeconds(server.createdAt),
    tenant_id: server.tenantId,
    'os-extended-volumes:volumes_attached': server.volumes.map((v) => ({ id: v.volumeId })),
    accessIPv4: '',
    accessIPv6: '',
  };
  if (PROGRESS_STATUSES.has(status)) doc.progress = 0;
  Object.assign(doc, {
    'OS-EXT-STS:power_state': server.powerState,
    config_drive: '',
    metadata: { ...server.metadata },
    'NHN-EXT-ATTR:ephemeral_disk_size': server.ephemeralDiskGb,
    'NHN-EXT-ATTR:protect': server.protect,
  });
  if (server.fault && FAULT_STATUSES.has(status)) doc.fault = faultView(server);
  return doc;
}

/** The cached JSON text of serverDetail (a build request's moves with the clock: never cached). */
export function serverDetailJson(server: Server, roots: ServiceRoots, now: number): string {
  if (server.buildRequest) return JSON.stringify(serverDetail(server, roots, now));
  return (server.detailJson ??= JSON.stringify(serverDetail(server, roots, now)));
}

export function serverSummary(server: Server, roots: ServiceRoots) {
  return { id: server.id, links: resourceLinks(roots, 'servers', server.id), name: server.name };
}
