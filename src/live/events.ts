// What the watcher publishes and how it decides that a server changed. Payloads hold the upstream's
// own JSON (NovaServer), never a mapped object or a token, so that a pub/sub that serialises them
// (Redis) carries them unchanged; the schema maps them when a subscriber's event is resolved.

import { toServer } from '../schema/compute/server-mapping.js';
import type { Server } from '../schema/compute/server-mapping.js';
import { toIsoUtc } from '../schema/datetime.js';
import type { NovaServer } from '../upstream/types.js';

export type ServerChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

export interface ServerChangeEvent {
  kind: ServerChangeKind;
  /** The server as the upstream showed it; for DELETED its last known state with status DELETED. */
  server: NovaServer;
  /** GraphQL field names of Server that differ from the previous event for this server. */
  changedFields: string[];
  /** When the gateway observed the change (ISO-8601, UTC). */
  observedAt: string;
}

/** Everything a watcher publishes on its project's topic. */
export type LiveMessage =
  | { type: 'change'; event: ServerChangeEvent }
  /**
   * The watcher's poll was refused (a pass-through token that no longer works): every pass-through
   * subscriber of the project proves its own token again. No token travels.
   */
  | { type: 'recheck' };

/** Statuses in which Nova is still working on the server; anything else (UNKNOWN included) is steady. */
const TRANSITIONAL_STATUSES = new Set([
  'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'REVERT_RESIZE', 'MIGRATING', 'REBOOT', 'HARD_REBOOT', 'PASSWORD',
]);

/**
 * True while Nova is working on the server: a transitional status, or a task running under a status
 * the gateway knows. A status the gateway does not know is never a transition: one odd server must
 * not keep the watcher polling fast for ever.
 */
export function inTransition(server: Pick<Server, 'status' | 'taskState'>): boolean {
  if (server.status === 'UNKNOWN' || server.status === 'DELETED') return false;
  return TRANSITIONAL_STATUSES.has(server.status) || server.taskState !== null;
}

/** Settled: no task and a steady status (what `untilSettled` waits for). */
export function isSettled(server: Pick<Server, 'status' | 'taskState'>): boolean {
  return !inTransition(server);
}

/** Server's GraphQL fields, by the mapped property they read. */
const FIELD_NAMES: [keyof Server, string[]][] = [
  ['name', ['name']],
  ['status', ['status']],
  ['taskState', ['taskState']],
  ['vmState', ['vmState']],
  ['powerState', ['powerState']],
  ['tenantId', ['tenantId']],
  ['userId', ['userId']],
  ['hostId', ['hostId']],
  ['keyName', ['keyName', 'keypair']],
  ['flavorId', ['flavor']],
  ['imageId', ['image']],
  ['addresses', ['addresses']],
  ['securityGroups', ['securityGroups']],
  ['metadata', ['metadata']],
  ['availabilityZone', ['availabilityZone']],
  ['created', ['created']],
  ['updated', ['updated']],
  ['launchedAt', ['launchedAt']],
  ['terminatedAt', ['terminatedAt']],
  ['fault', ['fault']],
  ['progress', ['progress']],
  ['volumeIds', ['volumeAttachments']],
];

export const ALL_SERVER_FIELDS = ['id', ...FIELD_NAMES.flatMap(([, names]) => names)];

/**
 * The server's content without `updated`: a build request's `updated` is the time of each read
 * (live-and-scale.md A.5), so a moving `updated` alone is never a change.
 */
export function contentKey(raw: NovaServer): string {
  const { updated: _updated, ...rest } = raw;
  return JSON.stringify(rest);
}

/** The Server fields that differ between two upstream documents of one server. */
export function changedFields(before: NovaServer, after: NovaServer): string[] {
  const a = toServer(before);
  const b = toServer(after);
  const changed: string[] = [];
  for (const [property, names] of FIELD_NAMES) {
    if (JSON.stringify(a[property]) !== JSON.stringify(b[property])) changed.push(...names);
  }
  return changed;
}

/** The last known state of a server that is gone, shown as Nova shows a deleted one. */
export function asDeleted(raw: NovaServer, at: string): NovaServer {
  return {
    ...raw,
    status: 'DELETED',
    'OS-EXT-STS:vm_state': 'deleted',
    'OS-EXT-STS:task_state': null,
    'OS-EXT-STS:power_state': 0,
    'OS-SRV-USG:terminated_at': raw['OS-SRV-USG:terminated_at'] ?? at,
  };
}

/** Nova's `updated` of a server in epoch ms (zone-less forms read as UTC); NaN when absent or invalid. */
export function updatedMs(raw: NovaServer): number {
  const iso = typeof raw.updated === 'string' ? toIsoUtc(raw.updated) : null;
  return iso === null ? Number.NaN : Date.parse(iso);
}
