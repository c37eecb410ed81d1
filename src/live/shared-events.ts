// The event target of the live pub/sub when replicas share Redis: Yoga's Redis event target
// (@graphql-yoga/redis-event-target) carries every event to every replica's subscribers, this one's
// included; while Redis is unusable, events are delivered in this process only (a subscriber here
// still hears its own watcher and its own replica's mutations) and nothing throws. Channels carry
// REDIS_KEY_PREFIX. Payloads are the watcher's messages (upstream JSON, never a token).

import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { TypedEventTarget } from '@graphql-yoga/typed-event-target';
import { setMaxListeners } from 'node:events';
import { Redis } from 'ioredis';
import type { SharedState } from '../redis.js';

type Listener = EventListenerOrEventListenerObject;
type Detail = { type: string; detail?: unknown };

/** An EventTarget for `createPubSub({ eventTarget })`, over Redis with an in-process fallback. */
export function createSharedEventTarget(shared: SharedState): TypedEventTarget<CustomEvent> & { close(): Promise<void> } {
  // Subscriptions live on a connection of their own (a subscribed connection can do nothing else).
  // Its commands wait in ioredis's queue while Redis is away, and ioredis subscribes again on reconnect.
  // No command timeout there: a SUBSCRIBE waits for Redis however long it is away.
  const connection = shared.client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
  connection.on('error', () => {}); // the shared connection reports the state; this one follows it
  // The event target fires SUBSCRIBE/UNSUBSCRIBE without awaiting them: a rejection (connection
  // closed at shutdown) must not become an unhandled one, which would end the process.
  const subscribeClient = {
    on: (event: string, listener: (...args: any[]) => void) => connection.on(event, listener),
    subscribe: (channel: string) => connection.subscribe(channel).catch(() => 0),
    unsubscribe: (channel: string) => connection.unsubscribe(channel).catch(() => 0),
  } as unknown as Redis;
  const local = new EventTarget();
  setMaxListeners(0, local); // one listener per subscriber: thousands are expected
  const prefix = `${shared.keyPrefix}events:`;
  // Publishing never throws into the publisher: a failure delivers here instead.
  const publishClient = {
    publish(channel: string, message: string): Promise<number> {
      return shared.client.publish(channel, message).then(
        (receivers) => {
          shared.succeeded();
          return receivers;
        },
        (error: unknown) => {
          shared.failed(error);
          deliverLocally(channel.slice(prefix.length), message);
          return 0;
        },
      );
    },
  } as unknown as Redis;
  const remote = createRedisEventTarget({ publishClient, subscribeClient });

  function deliverLocally(type: string, message: string): void {
    local.dispatchEvent(new CustomEvent(type, { detail: message === '' ? null : JSON.parse(message) }));
  }

  // A listener hears both: Redis (every replica's events) and this process's own while Redis is away.
  const wrapped = new WeakMap<object, EventListener>();
  const unprefix = (listener: Listener): EventListener => {
    let found = wrapped.get(listener);
    if (found === undefined) {
      const call = typeof listener === 'function' ? listener : listener.handleEvent.bind(listener);
      // Listeners see the topic without the prefix, as with an in-process target.
      found = (event: Event) => call(new CustomEvent(event.type.startsWith(prefix) ? event.type.slice(prefix.length) : event.type, { detail: (event as CustomEvent).detail }));
      wrapped.set(listener, found);
    }
    return found;
  };

  return {
    addEventListener(type: string, listener: Listener | null) {
      if (listener === null) return;
      const inner = unprefix(listener);
      remote.addEventListener(prefix + type, inner);
      local.addEventListener(type, inner);
    },
    removeEventListener(type: string, listener: Listener | null) {
      if (listener === null) return;
      const inner = unprefix(listener);
      remote.removeEventListener(prefix + type, inner);
      local.removeEventListener(type, inner);
    },
    dispatchEvent(event: Event) {
      const { type, detail } = event as unknown as Detail;
      if (shared.usable) {
        remote.dispatchEvent(new CustomEvent(prefix + type, { detail }));
      } else {
        shared.servedFromMemory();
        local.dispatchEvent(new CustomEvent(type, { detail: detail === undefined ? null : JSON.parse(JSON.stringify(detail)) }));
      }
      return true;
    },
    async close() {
      connection.disconnect();
    },
  } as TypedEventTarget<CustomEvent> & { close(): Promise<void> };
}
