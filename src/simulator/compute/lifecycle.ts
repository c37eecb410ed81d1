// Server states: how Nova shows a (vm_state, task_state) pair as a status, which states each action
// accepts (api-facts.md section 4, Nova's @check_instance_state), and how a transitional task ends
// after the configured delay.

import { novaError } from '../errors.js';
import type { Server, Tenant, VmState, World } from '../state.js';

const RESIZE_TASKS = ['resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish'];

/** Nova's _STATE_MAP (api/openstack/common.py): vm_state -> task_state -> status. */
const STATE_MAP: Record<VmState, Record<string, string>> = {
  active: {
    default: 'ACTIVE',
    rebooting: 'REBOOT',
    reboot_pending: 'REBOOT',
    reboot_started: 'REBOOT',
    rebooting_hard: 'HARD_REBOOT',
    reboot_pending_hard: 'HARD_REBOOT',
    reboot_started_hard: 'HARD_REBOOT',
    updating_password: 'PASSWORD',
    rebuilding: 'REBUILD',
    migrating: 'MIGRATING',
    ...Object.fromEntries(RESIZE_TASKS.map((t) => [t, 'RESIZE'])),
  },
  building: { default: 'BUILD' },
  stopped: { default: 'SHUTOFF', rebuilding: 'REBUILD', ...Object.fromEntries(RESIZE_TASKS.map((t) => [t, 'RESIZE'])) },
  resized: { default: 'VERIFY_RESIZE', resize_reverting: 'REVERT_RESIZE' },
  paused: { default: 'PAUSED', migrating: 'MIGRATING' },
  suspended: { default: 'SUSPENDED' },
  error: { default: 'ERROR', rebuilding: 'REBUILD' },
  deleted: { default: 'DELETED' },
  shelved: { default: 'SHELVED' },
  shelved_offloaded: { default: 'SHELVED_OFFLOADED' },
};

export function serverStatus(server: Pick<Server, 'vmState' | 'taskState'>): string {
  const byTask = STATE_MAP[server.vmState];
  return (server.taskState !== null ? byTask[server.taskState] : undefined) ?? byTask.default ?? 'UNKNOWN';
}

/** Every status a `status=` filter accepts (Nova's _server_status enum); others give an empty list. */
export const KNOWN_STATUSES = new Set([
  'ACTIVE', 'BUILD', 'DELETED', 'ERROR', 'HARD_REBOOT', 'MIGRATING', 'PASSWORD', 'PAUSED', 'REBOOT',
  'REBUILD', 'RESCUE', 'RESIZE', 'REVERT_RESIZE', 'SHELVED', 'SHELVED_OFFLOADED', 'SHUTOFF',
  'SOFT_DELETED', 'SUSPENDED', 'UNKNOWN', 'VERIFY_RESIZE',
]);

/** Settled states a server can be put in directly (seed data, addServers). */
export const STATUS_PRESETS: Record<string, { vmState: VmState; powerState: number; taskState: string | null }> = {
  BUILD: { vmState: 'building', powerState: 0, taskState: 'spawning' },
  ACTIVE: { vmState: 'active', powerState: 1, taskState: null },
  SHUTOFF: { vmState: 'stopped', powerState: 4, taskState: null },
  PAUSED: { vmState: 'paused', powerState: 3, taskState: null },
  SUSPENDED: { vmState: 'suspended', powerState: 7, taskState: null },
  ERROR: { vmState: 'error', powerState: 0, taskState: null },
  SHELVED_OFFLOADED: { vmState: 'shelved_offloaded', powerState: 4, taskState: null },
};

export interface StateRule {
  vmStates: readonly VmState[];
  /** Allowed task states; Nova's default is "no task running". */
  taskStates?: readonly (string | null)[];
  /** Nova also requires launched_at unless the method says otherwise. */
  mustHaveLaunched?: boolean;
}

/** The rows of api-facts.md section 4. */
export const STATE_RULES = {
  stop: { vmStates: ['active', 'error'] },
  start: { vmStates: ['stopped'] },
  rebootSoft: { vmStates: ['active'] },
  rebootHard: {
    vmStates: ['active', 'stopped', 'paused', 'suspended', 'error'],
    taskStates: [null, 'rebooting', 'reboot_pending', 'reboot_started', 'rebooting_hard', 'resuming', 'unpausing', 'pausing', 'suspending'],
  },
  resize: { vmStates: ['active', 'stopped'] },
  snapshot: { vmStates: ['active', 'stopped', 'paused', 'suspended'] },
  // NHN allows "terminate" only from ACTIVE and "start terminated" only from SHELVED_OFFLOADED (its
  // guide); Nova also shelves stopped, paused and suspended servers and unshelves shelved ones.
  shelve: { vmStates: ['active'] },
  unshelve: { vmStates: ['shelved_offloaded'] },
  // Shelved states need microversion 2.20, which /v2 cannot ask for, so they are left out.
  volume: { vmStates: ['active', 'paused', 'stopped', 'resized'] },
} satisfies Record<string, StateRule>;

/**
 * Nova's check_instance_state: vm_state, then task_state, then launched_at; the first that fails
 * gives 409 "Cannot '<action>' instance <id> while it is in <attr> <value>".
 */
export function checkState(server: Server, action: string, rule: StateRule): void {
  const conflict = (attr: string, value: string | null) =>
    novaError(409, `Cannot '${action}' instance ${server.id} while it is in ${attr} ${value ?? 'None'}`);
  if (!rule.vmStates.includes(server.vmState)) throw conflict('vm_state', server.vmState);
  if (!(rule.taskStates ?? [null]).includes(server.taskState)) throw conflict('task_state', server.taskState);
  if ((rule.mustHaveLaunched ?? true) && server.launchedAt === null) throw conflict('launched_at', null);
}

/**
 * Puts the server in a transitional task now and runs `finish` after the build delay, unless the
 * server was deleted meanwhile. `finish` sets the settled state (if it changes); the task is cleared for it.
 */
export function runTask(
  world: World,
  tenant: Tenant,
  server: Server,
  taskState: string,
  now: number,
  finish: (server: Server, at: number) => void = () => undefined,
): void {
  server.taskState = taskState;
  tenant.touch(server, now);
  world.scheduler.schedule(now + world.buildDelayMs, (at) => {
    if (tenant.servers.get(server.id) !== server) return;
    server.taskState = null;
    finish(server, at);
    tenant.touch(server, at);
  });
}

export function setRunning(server: Server): void {
  server.vmState = 'active';
  server.powerState = 1;
}

export function setStopped(server: Server): void {
  server.vmState = 'stopped';
  server.powerState = 4;
}

/**
 * Nova's `status=` filter (common.task_and_vm_state_from_status): the status names the vm_states
 * that show it; the task_state is filtered too unless the status is a vm_state's default (so
 * status=ACTIVE also matches an active server that is rebooting). Undefined: no server can match.
 */
export function statusMatcher(status: string): ((server: Pick<Server, 'vmState' | 'taskState'>) => boolean) | undefined {
  const wanted = status.toUpperCase();
  if (!KNOWN_STATUSES.has(wanted)) return undefined;
  const vmStates = new Set<string>();
  const taskStates = new Set<string>();
  for (const [vmState, byTask] of Object.entries(STATE_MAP)) {
    for (const [task, shown] of Object.entries(byTask)) {
      if (shown !== wanted) continue;
      vmStates.add(vmState);
      taskStates.add(task);
    }
  }
  if (vmStates.size === 0) return undefined;
  const anyTask = taskStates.has('default');
  return (server) => vmStates.has(server.vmState) && (anyTask || (server.taskState !== null && taskStates.has(server.taskState)));
}
