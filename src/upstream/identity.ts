// Keystone v2.0: issuing tokens, reading the service catalog, and keeping the service account's token
// fresh for every request at once.

import type { ServiceAccount } from '../config.js';
import type { RequestTelemetry } from '../observability/upstream.js';
import { UpstreamError } from './errors.js';
import { member } from './http.js';
import type { HttpTransport } from './http.js';
import { endpointFromRoot } from './urls.js';
import type { Endpoint } from './urls.js';
import type { KeystoneAccess, KeystoneCatalogEntry } from './types.js';

export interface Credentials {
  tenantId: string;
  username: string;
  password: string;
}

/** POST {identity}/v2.0/tokens. The password travels only in the body and is kept out of errors. */
export async function issueToken(
  transport: HttpTransport,
  identity: Endpoint,
  credentials: Credentials,
  deadline: number,
  signal?: AbortSignal,
  telemetry?: RequestTelemetry,
): Promise<KeystoneAccess> {
  const response = await transport.send({
    service: 'identity',
    method: 'POST',
    origin: identity.origin,
    path: `${identity.basePath}/v2.0/tokens`,
    body: {
      auth: {
        tenantId: credentials.tenantId,
        passwordCredentials: { username: credentials.username, password: credentials.password },
      },
    },
    secrets: [credentials.password],
    route: '/v2.0/tokens',
    deadline,
    signal,
    telemetry,
  });
  const access = member<KeystoneAccess>('identity', response.body, 'access', 'object');
  const token = member<KeystoneAccess['token']>('identity', access, 'token', 'object');
  if (typeof token.id !== 'string' || token.id === '') {
    throw new UpstreamError({ service: 'identity', kind: 'invalid-response', message: 'The identity service answered a token without an id' });
  }
  return access;
}

/** The service roots the gateway builds its URLs on (see "URL forms" in the design). */
export interface ServiceRoots {
  compute?: string;
  image?: string;
  volume?: string;
  network?: string;
}

export type CatalogEndpoints = { [service in keyof ServiceRoots]?: Endpoint };

const CATALOG_TYPES: Record<keyof ServiceRoots, string> = {
  compute: 'compute',
  image: 'image',
  volume: 'volumev2',
  network: 'network',
};

/** The roots of the catalog's endpoints for `region` (compared case-insensitively). */
export function parseCatalog(catalog: readonly KeystoneCatalogEntry[] | undefined, region: string): ServiceRoots {
  const roots: ServiceRoots = {};
  const wanted = region.toUpperCase();
  for (const service of Object.keys(CATALOG_TYPES) as (keyof ServiceRoots)[]) {
    const entry = catalog?.find((candidate) => candidate.type === CATALOG_TYPES[service]);
    const endpoint = entry?.endpoints?.find((candidate) => candidate.region?.toUpperCase() === wanted);
    const publicUrl = endpoint?.publicURL;
    if (typeof publicUrl === 'string' && URL.canParse(publicUrl)) roots[service] = rootFromPublicUrl(publicUrl);
  }
  return roots;
}

/**
 * A catalog publicURL without its trailing `/v2/{tenantId}` (or bare version): the root, so that one
 * root serves every tenant and a pass-through caller's tenant can be put in place of the account's.
 */
export function rootFromPublicUrl(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '').replace(/\/v\d+(?:\.\d+)?(?:\/[^/]+)?$/, '');
}

/** An ISO time as epoch ms; Keystone sometimes omits the zone, and it then means UTC. */
function parseKeystoneTime(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  const zoned = /(?:Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value}Z`;
  return Date.parse(zoned);
}

/** When a token whose `expires` cannot be read is used no longer than this. */
const UNKNOWN_LIFETIME_MS = 60_000;

interface HeldToken {
  id: string;
  /** Epoch ms (local clock) from which a new token is fetched. */
  refreshAt: number;
  /** Epoch ms (local clock) after which this token is no longer used at all. */
  expiresAt: number;
}

/**
 * The service account's token and catalog. One refresh at a time serves every concurrent request;
 * the token is renewed `marginSeconds` before it expires, and dropped at once when a service answers
 * 401 for it (the API password changed, or the token was revoked).
 */
export class ServiceAccountTokens {
  #held: HeldToken | undefined;
  #endpoints: CatalogEndpoints | undefined;
  #refreshing: Promise<string> | undefined;
  /** Told the outcome of every token request of the service account (metrics). */
  onRefresh?: (outcome: 'success' | 'failure') => void;

  constructor(
    private readonly transport: HttpTransport,
    private readonly identity: Endpoint,
    private readonly account: ServiceAccount,
    private readonly region: string,
    private readonly marginSeconds: number,
    private readonly requestDeadlineMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token when it needs no refresh; lets the common case skip a promise. */
  current(): string | undefined {
    const held = this.#held;
    return held !== undefined && this.now() < held.refreshAt ? held.id : undefined;
  }

  /** A usable token: the held one, or a fresh one shared by every caller asking meanwhile. */
  token(): Promise<string> {
    const current = this.current();
    if (current !== undefined) return Promise.resolve(current);
    return (this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined)));
  }

  /** Forgets `token` after a 401, unless a newer one already replaced it (one re-issue per 401 wave). */
  invalidate(token: string): void {
    if (this.#held?.id === token) this.#held = undefined;
  }

  /** The catalog's endpoints for the region, from the last issued token (undefined before the first). */
  get endpoints(): CatalogEndpoints | undefined {
    return this.#endpoints;
  }

  async #refresh(): Promise<string> {
    const previous = this.#held;
    let access: KeystoneAccess;
    try {
      access = await issueToken(
        this.transport,
        this.identity,
        { tenantId: this.account.tenantId, username: this.account.username, password: this.account.apiPassword },
        this.now() + this.requestDeadlineMs,
      );
    } catch (error) {
      this.onRefresh?.('failure');
      // Inside the margin the old token still works: better to use it than to fail every request
      // while Keystone has a bad moment.
      if (previous !== undefined && this.now() < previous.expiresAt) return previous.id;
      throw error instanceof UpstreamError ? error.ofServiceAccount() : error;
    }
    this.onRefresh?.('success');
    this.#held = this.#hold(access);
    const roots = parseCatalog(access.serviceCatalog, this.region);
    const endpoints: CatalogEndpoints = {};
    for (const service of Object.keys(roots) as (keyof ServiceRoots)[]) endpoints[service] = endpointFromRoot(roots[service]!);
    this.#endpoints = endpoints;
    return access.token.id;
  }

  #hold(access: KeystoneAccess): HeldToken {
    const now = this.now();
    const expires = parseKeystoneTime(access.token.expires);
    const issued = parseKeystoneTime(access.token.issued_at);
    // The lifetime as Keystone counts it, applied to our clock: immune to skew between the clocks.
    let lifetimeMs = Number.isNaN(issued) ? expires - now : expires - issued;
    if (Number.isNaN(lifetimeMs) || lifetimeMs <= 0) lifetimeMs = UNKNOWN_LIFETIME_MS;
    // A token that lives shorter than the margin is still used for half its life: renewing it on
    // every request would turn each GraphQL request into two upstream calls.
    const usableMs = Math.max(lifetimeMs - this.marginSeconds * 1000, lifetimeMs / 2);
    return { id: access.token.id, expiresAt: now + lifetimeMs, refreshAt: now + usableMs };
  }
}
