// Live server state: `server(id, untilSettled)` and `serverChanges(filter)`. Both join the project's
// watcher (src/live/) through the context's LiveServers; each event is resolved with a fresh upstream
// session and fresh loaders (Context.renewForEvent), so relations are as of that event. Mutations call
// `wakeWatcher` once the upstream accepted them.

import { Repeater } from 'graphql-yoga';
import { contentKey, isSettled, type ServerChangeEvent } from '../../live/events.js';
import type { LiveSubscription } from '../../live/registry.js';
import type { WakeHint } from '../../live/watcher.js';
import type { NovaServer } from '../../upstream/types.js';
import { builder, type Context } from '../builder.js';
import { gatewayError } from '../errors.js';
import type { GraphQLError } from '../graphql.js';
import { uuid } from '../validation.js';
import { ServerStatusEnum } from './enums.js';
import { type Server, serverStatus, toServer } from './server-mapping.js';
import { ServerRef } from './server.js';

/**
 * Tells the project's watcher that the gateway just changed this server (see WakeHint for `reason`).
 * Never throws: a mutation's answer does not depend on it.
 */
export function wakeWatcher(ctx: Context, serverId: string, reason: WakeHint['reason']): void {
  try {
    if (ctx.live && ctx.caller) ctx.live.wake(ctx.session().tenantId, { serverId, reason });
  } catch {
    // No session (no caller): there is nothing to wake for.
  }
}

builder.subscriptionType({
  description: 'Live server state: each subscription joins one shared watcher of its project, however many subscribe.',
});

const KINDS = {
  CREATED: 'A server the gateway had not seen before.',
  UPDATED: 'A server whose fields changed (status, task state, name, addresses, metadata ...).',
  DELETED: 'A server the upstream reports deleted, or no longer knows.',
} as const;

const ServerChangeKindEnum = builder.enumType('ServerChangeKind', {
  description: 'What happened to a server.',
  values: Object.fromEntries(Object.entries(KINDS).map(([name, description]) => [name, { description }])) as {
    [K in keyof typeof KINDS]: { description: string };
  },
});

interface ServerChange {
  kind: ServerChangeEvent['kind'];
  server: Server;
  changedFields: string[];
  observedAt: string;
}

const ServerChangeRef = builder.objectRef<ServerChange>('ServerChange').implement({
  description: 'One change to a server of the project, as the watcher observed it.',
  fields: (t) => ({
    kind: t.field({ type: ServerChangeKindEnum, description: 'Created, updated or deleted.', resolve: (c) => c.kind }),
    server: t.field({
      type: ServerRef,
      description: 'The server as the upstream shows it now; for DELETED, its last known state with status DELETED.',
      resolve: (c) => c.server,
    }),
    changedFields: t.exposeStringList('changedFields', {
      description:
        'The Server fields (GraphQL names, e.g. status, taskState) that differ from the previous event for this server; every field for CREATED.',
    }),
    observedAt: t.field({ type: 'DateTime', description: 'When the gateway observed the change.', resolve: (c) => c.observedAt }),
  }),
});

const ServerChangeFilterRef = builder.inputType('ServerChangeFilter', {
  description: 'Which changes to receive; every change of the project when omitted.',
  fields: (t) => ({
    ids: t.idList({ description: 'Only these servers.', validate: uuid.array().max(1000, 'must list at most 1000 ids') }),
    statuses: t.field({ type: [ServerStatusEnum], description: 'Only changes that leave a server in one of these statuses.' }),
  }),
});

/** What the streams below push: an event to resolve, or the error that ends the subscription. */
type Pushed<T> = { value: T } | { error: GraphQLError };

async function openLive(ctx: Context, subscription: 'server' | 'serverChanges'): Promise<LiveSubscription> {
  if (!ctx.live) throw gatewayError('INTERNAL_SERVER_ERROR', 'Subscriptions are not available on this gateway.');
  if (ctx.caller === null) {
    throw gatewayError('UNAUTHENTICATED', 'Send X-Auth-Token and X-Tenant-Id: this gateway has no service account.');
  }
  return ctx.live.open({ caller: ctx.caller, clientAddress: ctx.clientAddress ?? 'unknown', subscription });
}

/**
 * The subscription's stream: `initial` first, then what `onChange` pushes for each change of the
 * project; ends when `onChange` says so, or with an error when the subscriber's token is refused.
 * Leaving (client gone, completion) closes the subscription's place in its watcher.
 */
function stream<T>(
  live: LiveSubscription,
  initial: T[],
  onChange: (event: ServerChangeEvent, push: (value: T) => void) => 'more' | 'done',
  doneAfterInitial = false,
): Repeater<Pushed<T>> {
  return new Repeater<Pushed<T>>(async (push, stop) => {
    void stop.then(() => live.close());
    void live.ended.then(async (error) => {
      await push({ error });
      stop();
    });
    // Not awaited: a push settles only when the consumer pulls the next value.
    for (const value of initial) void push({ value });
    if (doneAfterInitial) {
      stop();
      return;
    }
    for await (const message of live.messages) {
      if (message.type === 'recheck') {
        live.recheck();
        continue;
      }
      if (onChange(message.event, (value) => void push({ value })) === 'done') break;
    }
    stop();
  });
}

function unwrap<T>(pushed: Pushed<T>, ctx: Context): T {
  if ('error' in pushed) throw pushed.error;
  ctx.renewForEvent?.();
  return pushed.value;
}

builder.subscriptionFields((t) => ({
  server: t.field({
    type: ServerRef,
    description:
      'The server now, then again every time it changes. Completes after the server is deleted, or, with untilSettled, once it has no task and a steady status.',
    args: {
      id: t.arg.id({ required: true, description: 'The server UUID.', validate: uuid }),
      untilSettled: t.arg.boolean({
        description: 'Complete once the server has no task and a steady status (e.g. ACTIVE after BUILD); false when omitted.',
      }),
    },
    subscribe: async (_root, args, ctx) => {
      const id = String(args.id);
      const live = await openLive(ctx, 'server');
      let first: NovaServer | null;
      try {
        first = (await live.current(id)) ?? (await ctx.session().compute.getServer(id));
      } catch (error) {
        live.close();
        throw error;
      }
      if (first === null) {
        live.close();
        throw gatewayError('NOT_FOUND', `Server ${id} could not be found.`);
      }
      const finished = (raw: NovaServer) =>
        serverStatus(raw.status) === 'DELETED' || (args.untilSettled === true && isSettled(toServer(raw)));
      let last = contentKey(first);
      return stream<NovaServer>(
        live,
        [first],
        (event, push) => {
          if (event.server.id !== id) return 'more';
          const key = contentKey(event.server);
          if (key !== last) {
            last = key;
            push(event.server);
          }
          return finished(event.server) ? 'done' : 'more';
        },
        finished(first),
      );
    },
    resolve: (pushed: Pushed<NovaServer>, _args, ctx) => toServer(unwrap(pushed, ctx)),
  }),
  serverChanges: t.field({
    type: ServerChangeRef,
    description: "Every change to the project's servers, as it happens, whoever made it.",
    args: {
      filter: t.arg({ type: ServerChangeFilterRef, description: 'Which changes; all of the project when omitted.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const ids = args.filter?.ids ? new Set(args.filter.ids.map(String)) : undefined;
      const statuses = args.filter?.statuses ? new Set<string>(args.filter.statuses) : undefined;
      const live = await openLive(ctx, 'serverChanges');
      return stream<ServerChangeEvent>(live, [], (event, push) => {
        if (ids && !ids.has(event.server.id)) return 'more';
        if (statuses && !statuses.has(serverStatus(event.server.status))) return 'more';
        push(event);
        return 'more';
      });
    },
    resolve: (pushed: Pushed<ServerChangeEvent>, _args, ctx) => {
      const event = unwrap(pushed, ctx);
      return { kind: event.kind, server: toServer(event.server), changedFields: event.changedFields, observedAt: event.observedAt };
    },
  }),
}));
