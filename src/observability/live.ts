// Live server state as metrics: open subscriptions by field, the watchers' polls by outcome, and the
// lag from a change in NHN to its event. The watchers know nothing of metrics; they emit events
// (without tokens or ids in anything recorded here) and this turns them into bounded labels.

import type { LiveServers } from '../live/registry.js';
import { type ServerChangeEvent, updatedMs } from '../live/events.js';
import type { GatewayMetrics } from './metrics.js';

export function measureLive(live: LiveServers, metrics: GatewayMetrics): void {
  live.on('subscribed', ({ subscription }: { subscription: string }) => metrics.subscriptionsOpen.inc({ subscription }));
  live.on('unsubscribed', ({ subscription }: { subscription: string }) => metrics.subscriptionsOpen.dec({ subscription }));
  live.on('poll', () => metrics.watcherPolls.inc({ outcome: 'success' }));
  live.on('failure', () => metrics.watcherPolls.inc({ outcome: 'failure' }));
  live.on('event', ({ event }: { event: ServerChangeEvent }) => {
    // A deletion has no time of its own upstream (its last `updated` is older than the delete).
    if (event.kind === 'DELETED') return;
    // Nova's `updated` has whole seconds: the lag reads up to a second high, never low.
    const updated = updatedMs(event.server);
    if (Number.isFinite(updated)) metrics.watcherLag.observe(Math.max(0, (Date.now() - updated) / 1000));
  });
}
