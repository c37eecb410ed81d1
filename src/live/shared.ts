// Live server state shared by replicas through Redis (REDIS_URL): one watcher per project across all
// of them (lease-coordinator.ts), its events delivered to every replica's subscribers through Yoga's
// Redis event target (shared-events.ts), and every mutation's wake-up sent to whichever replica polls.

import { createPubSub } from 'graphql-yoga';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { SharedState } from '../redis.js';
import type { UpstreamClient } from '../upstream/types.js';
import { RedisLeaseCoordinator } from './lease-coordinator.js';
import { type LivePubSub, LiveServers } from './registry.js';
import { createSharedEventTarget } from './shared-events.js';
import type { WatcherSnapshot } from './watcher.js';

export function createSharedLive(options: { config: Config; upstream: UpstreamClient; logger: Logger; shared: SharedState }): {
  live: LiveServers;
  close(): Promise<void>;
} {
  const { config, shared } = options;
  const eventTarget = createSharedEventTarget(shared);
  const coordinator = new RedisLeaseCoordinator<WatcherSnapshot>(shared, {
    leaseTtlMs: config.redis!.leaseTtlMs,
    // A snapshot older than a relist is worth no more than a relist.
    snapshotTtlMs: Math.max(config.live.relistIntervalMs * 2, config.redis!.leaseTtlMs * 4),
  });
  const live = new LiveServers({
    config,
    upstream: options.upstream,
    logger: options.logger,
    pubSub: createPubSub({ eventTarget }) as LivePubSub,
    coordinator,
    wakeEverywhere: true,
  });
  return {
    live,
    async close() {
      await coordinator.close();
      await eventTarget.close();
    },
  };
}
