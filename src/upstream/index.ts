// createUpstreamClient: the one object the gateway holds for talking to NHN. It owns the connection
// pools, the circuit breakers, the service account's token and the cross-request caches; each
// GraphQL request gets a cheap Session bound to its caller and deadline.

import type { Config } from '../config.js';
import type { SharedState } from '../redis.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';
import { type RequestTelemetry, UpstreamTelemetry } from '../observability/upstream.js';
import { TtlLruCache } from './cache.js';
import { isSettledImage } from './image.js';
import { UpstreamError } from './errors.js';
import { HttpTransport } from './http.js';
import { endpointFromRoot } from './urls.js';
import type { Endpoint } from './urls.js';
import { ServiceAccountTokens, issueToken } from './identity.js';
import { Session } from './session.js';
import { RedisCacheStore } from './shared-cache.js';
import type { ApiService, ClientCore, UpstreamCaches } from './session.js';
import type { Caller, KeystoneAccess, SessionOptions, UpstreamClient, UpstreamSession } from './types.js';

/** Where the client reports: both optional, and nothing is measured without them. */
export interface UpstreamObservability {
  metrics?: GatewayMetrics;
  tracing?: Tracing;
}

export interface UpstreamClientOptions extends UpstreamObservability {
  /** Redis (REDIS_URL): the caches keep their entries there, shared by every replica. */
  sharedState?: SharedState;
}

export function createUpstreamClient(config: Config, options: UpstreamClientOptions = {}): UpstreamClient {
  return new Client(config, options);
}

class Client implements UpstreamClient, ClientCore {
  readonly transport: HttpTransport;
  readonly account: ServiceAccountTokens | undefined;
  readonly caches: UpstreamCaches;
  readonly #identity: Endpoint | undefined;
  /** Configured endpoints win over the catalog's. */
  readonly #overrides: { [service in ApiService]?: Endpoint };

  readonly #metrics: GatewayMetrics | undefined;

  constructor(
    readonly config: Config,
    { metrics, tracing, sharedState }: UpstreamClientOptions,
  ) {
    const observed = metrics !== undefined || tracing !== undefined;
    this.transport = new HttpTransport(config.upstream, observed ? new UpstreamTelemetry(metrics, tracing) : undefined);
    this.#metrics = metrics;
    const { endpoints, cache } = config;
    this.#identity = endpoints.identityUrl === undefined ? undefined : endpointFromRoot(endpoints.identityUrl);
    this.#overrides = {
      compute: endpoints.computeUrl === undefined ? undefined : endpointFromRoot(endpoints.computeUrl),
      image: endpoints.imageUrl === undefined ? undefined : endpointFromRoot(endpoints.imageUrl),
      volume: endpoints.volumeUrl === undefined ? undefined : endpointFromRoot(endpoints.volumeUrl),
      network: endpoints.networkUrl === undefined ? undefined : endpointFromRoot(endpoints.networkUrl),
    };
    this.account =
      config.serviceAccount === undefined || this.#identity === undefined
        ? undefined
        : new ServiceAccountTokens(
            this.transport,
            this.#identity,
            config.serviceAccount,
            config.region,
            config.upstream.tokenRefreshMarginSeconds,
            config.requestDeadlineMs,
          );
    this.caches = {
      flavors: new TtlLruCache(cache.flavorsTtlMs, cache.maxEntries),
      images: new TtlLruCache(cache.imagesTtlMs, cache.maxEntries, Date.now, isSettledImage),
      keypairs: new TtlLruCache(cache.keypairsTtlMs, cache.maxEntries),
    };
    if (sharedState !== undefined) {
      const store = new RedisCacheStore(sharedState);
      for (const [name, cache] of Object.entries(this.caches)) (cache as TtlLruCache<unknown>).share(store, name);
    }
    if (metrics !== undefined) {
      metrics.readBreakerStates = () => this.transport.breakerStates();
      if (this.account) this.account.onRefresh = (outcome) => metrics.tokens.inc({ kind: 'refresh', outcome });
      const counts = (['flavors', 'images', 'keypairs'] as const).map((name) => {
        const count: [string, number, number] = [name, 0, 0];
        this.caches[name].onLookup = (hit) => count[hit ? 1 : 2]++;
        return count;
      });
      metrics.readCacheLookups = () => counts;
    }
  }

  session(caller: Caller, options: SessionOptions = {}): UpstreamSession {
    return new Session(this, caller, options.signal, options.deadline ?? Date.now() + this.config.requestDeadlineMs, options.telemetry);
  }

  issueToken(input: { tenantId: string; username: string; password: string }, options: { telemetry?: RequestTelemetry } = {}): Promise<KeystoneAccess> {
    if (this.#identity === undefined) {
      return Promise.reject(new UpstreamError({ service: 'identity', kind: 'unavailable', message: 'No identity endpoint is configured' }));
    }
    const issued = issueToken(this.transport, this.#identity, input, Date.now() + this.config.requestDeadlineMs, undefined, options.telemetry);
    const tokens = this.#metrics?.tokens;
    if (tokens !== undefined) issued.then(() => tokens.inc({ kind: 'issue', outcome: 'success' }), () => tokens.inc({ kind: 'issue', outcome: 'failure' }));
    return issued;
  }

  /** Also fails when the catalog has no compute endpoint for the region: nothing would work then. */
  async ready(): Promise<void> {
    await this.account?.token();
    await this.endpoint('compute');
  }

  endpoint(service: ApiService): Endpoint | Promise<Endpoint> {
    const endpoint = this.#overrides[service] ?? this.account?.endpoints?.[service];
    if (endpoint !== undefined) return endpoint;
    const account = this.account;
    // Before the first token there is no catalog yet; after it, a missing entry stays missing.
    if (account === undefined || account.endpoints !== undefined) return Promise.reject(this.#noEndpoint(service));
    return account.token().then(() => account.endpoints?.[service] ?? Promise.reject(this.#noEndpoint(service)));
  }

  async close(): Promise<void> {
    this.caches.flavors.clear();
    this.caches.images.clear();
    this.caches.keypairs.clear();
    await this.transport.close();
  }

  #noEndpoint(service: ApiService): UpstreamError {
    return new UpstreamError({
      service,
      kind: 'unavailable',
      message: `No ${service} endpoint is configured or in the service catalog for region ${this.config.region}`,
    });
  }
}

export { UpstreamError } from './errors.js';
export type * from './types.js';
