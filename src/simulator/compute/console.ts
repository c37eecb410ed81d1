// Changes made "behind the gateway's back", as NHN's web console (or another API client) would make
// them: they run through the same handlers and state rules as the API, but are not calls to the API,
// so they never appear in the request log. Tests use them to prove the gateway notices such changes.

import type { RequestContext } from '../context.js';
import { serviceRoots } from '../context.js';
import { ReplyError } from '../reply.js';
import type { Tenant, World } from '../state.js';
import { actionRoutes } from './actions.js';
import { deleteServer, updateServer } from './server-update.js';

export type ConsoleChange =
  | { action: 'stop' | 'start' | 'reboot' | 'hardReboot' | 'delete' }
  | { action: 'rename'; name: string }
  /** The server fails (vm_state error with a fault), as a hypervisor failure shows. */
  | { action: 'fail'; message?: string };

const ACTION_BODIES: Record<string, unknown> = {
  stop: { 'os-stop': null },
  start: { 'os-start': null },
  reboot: { reboot: { type: 'SOFT' } },
  hardReboot: { reboot: { type: 'HARD' } },
};

/** Applies `change` to a server of `tenant` now; throws the API's own refusal (404, 409) as an Error. */
export function changeFromConsole(world: World, tenant: Tenant, serverId: string, change: ConsoleChange): void {
  const now = Date.now();
  world.settle(now);
  const ctx = (body: unknown): RequestContext => ({
    world, tenant, params: [serverId], query: new URLSearchParams(), body, now, roots: serviceRoots(world.origin, tenant.id),
  });
  try {
    switch (change.action) {
      case 'delete':
        deleteServer(ctx(undefined));
        return;
      case 'rename':
        updateServer(ctx({ server: { name: change.name } }));
        return;
      case 'fail': {
        const server = tenant.servers.get(serverId);
        if (!server) throw new Error(`Instance ${serverId} could not be found.`);
        server.vmState = 'error';
        server.taskState = null;
        server.powerState = 0;
        server.fault = { code: 500, message: change.message ?? 'Hypervisor failure', details: '', createdAt: now };
        tenant.touch(server, now);
        return;
      }
      default: {
        const body = ACTION_BODIES[change.action];
        if (body === undefined) throw new Error(`unknown console action ${(change as { action: string }).action}`);
        actionRoutes[0]!.handler(ctx(body));
      }
    }
  } catch (error) {
    if (error instanceof ReplyError) throw new Error(`console ${change.action} refused (${error.reply.status}): ${String(error.reply.body ?? "")}`);
    throw error;
  }
}
