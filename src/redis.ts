// The one Redis connection of a replica (REDIS_URL), shared by everything that keeps state across
// replicas. Redis is an optimisation, never a dependency: a command that fails or does not answer in
// REDIS_COMMAND_TIMEOUT_MS makes its caller fall back to this process's memory, and for a short
// cool-off every caller goes straight there instead of waiting on Redis again. The switch both ways
// is logged once and counted (`status()`, for metrics); readiness never looks at it.

import { Redis, type RedisOptions } from 'ioredis';
import type { RedisSettings } from './config.js';
import type { Logger } from './log.js';

/** What metrics report: whether Redis is in use, and how often this replica had to do without it. */
export interface SharedStateStatus {
  /** True while the replica shares its state through Redis. */
  up: boolean;
  /** Times Redis went from in use to unavailable since start. */
  outages: number;
  /** Cache operations served from this replica's memory because Redis was unavailable or failed. */
  fallbacks: number;
}

/** After a failed command, Redis is skipped for this long (a hung Redis would otherwise cost every request the timeout). */
const COOL_OFF_MS = 1_000;
/** Reconnection backoff: quick at first, then every 2 s for as long as Redis stays away. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export class SharedState {
  readonly client: Redis;
  readonly keyPrefix: string;
  #up = false;
  #outages = 0;
  #fallbacks = 0;
  #skipUntil = 0;
  #everConnected = false;
  readonly #listeners = new Set<(up: boolean) => void>();

  constructor(
    settings: RedisSettings,
    private readonly logger: Logger,
  ) {
    this.keyPrefix = settings.keyPrefix;
    const options: RedisOptions = {
      connectTimeout: settings.connectTimeoutMs,
      commandTimeout: settings.commandTimeoutMs,
      // Fail at once while disconnected: the caller has its own memory to fall back on.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), MAX_RECONNECT_DELAY_MS),
      // An ioredis default that would retry a command after a READONLY error on a failed-over replica;
      // our callers would rather fall back at once.
      reconnectOnError: () => false,
      lazyConnect: false,
    };
    if (settings.password !== undefined) options.password = settings.password;
    // `rediss://` turns TLS on (ioredis reads the scheme); NODE_EXTRA_CA_CERTS adds a private CA.
    this.client = new Redis(settings.url, options);
    this.client.on('ready', () => this.#markUp());
    this.client.on('close', () => this.#markDown('connection closed'));
    // Without a listener ioredis prints every reconnection error; the state change is what matters.
    this.client.on('error', (error: Error) => this.#markDown(error.message));
  }

  /** Whether callers should use Redis now (connected, and no failure in the last moment). */
  get usable(): boolean {
    return this.client.status === 'ready' && Date.now() >= this.#skipUntil;
  }

  status(): SharedStateStatus {
    return { up: this.#up, outages: this.#outages, fallbacks: this.#fallbacks };
  }

  /** `listener(true)` when Redis is back in use, `listener(false)` when it is lost. */
  onChange(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A caller's Redis operation worked: Redis is in use again if it had been given up. */
  succeeded(): void {
    if (!this.#up && this.client.status === 'ready') this.#markUp();
  }

  /** A caller skipped Redis (unavailable) and served from memory. */
  servedFromMemory(): void {
    this.#fallbacks++;
  }

  /** A caller's Redis operation failed and it served from memory instead. */
  failed(error: unknown): void {
    this.#fallbacks++;
    this.#skipUntil = Date.now() + COOL_OFF_MS;
    this.#markDown(error instanceof Error ? error.message : String(error));
  }

  /** Resolves once connected (or rejects after `timeoutMs`): for tests and tools, never for serving. */
  async connected(timeoutMs = 5_000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Redis did not connect in time')), timeoutMs);
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.client.removeAllListeners('close');
    this.client.removeAllListeners('error');
    this.client.on('error', () => {});
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  #markUp(): void {
    if (this.#up) return;
    this.#up = true;
    this.#skipUntil = 0;
    if (this.#everConnected) this.logger.info('Redis is reachable again: state is shared with the other replicas');
    else this.logger.info('Redis connected: caches are shared with the other replicas');
    this.#everConnected = true;
    for (const listener of this.#listeners) listener(true);
  }

  #markDown(reason: string): void {
    if (!this.#up) {
      // Never connected yet: said once, at the first failure.
      if (!this.#everConnected && this.#outages === 0) {
        this.#outages++;
        this.logger.warn("Redis unreachable: serving from this replica's own memory until it is back", { reason: safeReason(reason) });
      }
      return;
    }
    this.#up = false;
    this.#outages++;
    this.logger.warn("Redis unreachable: serving from this replica's own memory until it is back", { reason: safeReason(reason) });
    for (const listener of this.#listeners) listener(false);
  }
}

/** Error texts name the host at most; anything URL-like is cut (a URL could carry the password). */
function safeReason(reason: string): string {
  return reason.replace(/rediss?:\/\/\S*/g, 'redis://…').slice(0, 200);
}
