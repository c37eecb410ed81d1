// Which process polls a project. With one gateway process it is always this one; with several
// replicas a shared lease (Redis `SET key token NX PX ttl`, or a Kubernetes Lease) decides, and the
// others receive the events through the shared pub/sub instead of polling themselves.

import type { WatcherSnapshot } from './watcher.js';

export interface WatcherCoordinator {
  /** True when this process should poll the project now; called before every poll (renew a lease here). */
  mayPoll(key: string): Promise<boolean>;
  /** This process no longer watches the project (its last subscriber left a while ago). */
  release(key: string): Promise<void>;
  /**
   * Shared coordinators only: the holder leaves what it knows after a poll that changed it; the
   * others (and the next holder) pick it up. `always`: even if this process has seen that version.
   */
  saveSnapshot?(key: string, snapshot: WatcherSnapshot): Promise<void>;
  loadSnapshot?(key: string, always?: boolean): Promise<WatcherSnapshot | null>;
  /** Releases every lease (shutdown), so that another replica need not wait for their TTL. */
  close?(): Promise<void>;
}

/** One process: it always holds every project. */
export const inProcessCoordinator: WatcherCoordinator = {
  mayPoll: async () => true,
  release: async () => undefined,
};
