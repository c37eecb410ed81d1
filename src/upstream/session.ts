// One session per GraphQL request: who is calling, in which tenant, until when. Every operation goes
// through `call`, which picks the token (the service account's, renewed once on a 401, or the
// pass-through caller's, never renewed), puts the tenant into the URL, and hands over to the transport.

import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { TtlLruCache } from './cache.js';
import { Compute } from './compute.js';
import { UpstreamError } from './errors.js';
import { deadlineError } from './http.js';
import type { HttpMethod, HttpTransport, UpstreamResponse } from './http.js';
import { type Endpoint, routeTemplate } from './urls.js';
import type { RequestTelemetry } from '../observability/upstream.js';
import type { ServiceAccountTokens } from './identity.js';
import { Image } from './image.js';
import { Network } from './network.js';
import type {
  Caller,
  ComputeApi,
  GlanceImage,
  ImageApi,
  NetworkApi,
  NovaFlavor,
  NovaKeypair,
  UpstreamService,
  UpstreamSession,
  VolumeApi,
} from './types.js';
import { Volume } from './volume.js';

export interface UpstreamCaches {
  flavors: TtlLruCache<NovaFlavor[]>;
  images: TtlLruCache<GlanceImage>;
  keypairs: TtlLruCache<NovaKeypair[]>;
}

/** What every session of one client shares. */
export interface ClientCore {
  readonly config: Config;
  readonly transport: HttpTransport;
  readonly account: ServiceAccountTokens | undefined;
  readonly caches: UpstreamCaches;
  /** The service's endpoint, waiting for the service account's catalog when it comes from there. */
  endpoint(service: ApiService): Endpoint | Promise<Endpoint>;
}

export type ApiService = Exclude<UpstreamService, 'identity'>;

export interface CallOptions {
  body?: unknown;
  /** The body's media type when it is not plain JSON. */
  contentType?: string;
  notFoundIsNull?: boolean;
  /**
   * The call feeds a cache entry other requests may wait for: it must not die with this request's
   * deadline, so it runs on its own (the upstream timeouts still bound it) and this request only
   * stops waiting for it.
   */
  shared?: boolean;
}

const NO_OPTIONS: CallOptions = Object.freeze({});

/** Compute and block storage put the tenant into the path; image and network do not. */
const TENANT_IN_PATH: Record<ApiService, boolean> = { compute: true, volume: true, image: false, network: false };

// A tenant id becomes a path segment and a token a header: refuse what could be neither, before
// undici or a proxy gets to interpret it.
const VALID_TENANT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const VALID_TOKEN = /^[\x21-\x7e]{1,8192}$/;

export class Session implements UpstreamSession {
  readonly tenantId: string;
  #compute: ComputeApi | undefined;
  #image: ImageApi | undefined;
  #volume: VolumeApi | undefined;
  #network: NetworkApi | undefined;
  #scope: string | undefined;
  #identityScope: string | undefined;
  readonly #callerProblem: string | undefined;

  constructor(
    readonly core: ClientCore,
    readonly caller: Caller,
    readonly signal: AbortSignal | undefined,
    readonly deadline: number,
    readonly telemetry?: RequestTelemetry,
  ) {
    if (caller.kind === 'passthrough') {
      this.tenantId = caller.tenantId;
      if (!VALID_TENANT.test(caller.tenantId) || !VALID_TOKEN.test(caller.token)) {
        this.#callerProblem = 'The token or tenant id is not valid';
      }
    } else {
      this.tenantId = core.config.serviceAccount?.tenantId ?? '';
      if (core.account === undefined) this.#callerProblem = 'No service account is configured; send a token';
    }
  }

  get compute(): ComputeApi {
    return (this.#compute ??= new Compute(this));
  }

  get image(): ImageApi {
    return (this.#image ??= new Image(this));
  }

  get volume(): VolumeApi {
    return (this.#volume ??= new Volume(this));
  }

  get network(): NetworkApi {
    return (this.#network ??= new Network(this));
  }

  /**
   * The cache scope of tenant data: region + tenant, plus a hash of a pass-through token, since a
   * tenant header alone proves nothing (hashed: caches never hold secrets). Refuses an invalid caller.
   */
  get scope(): string {
    this.#refuseInvalidCaller('identity');
    return (this.#scope ??=
      this.caller.kind === 'passthrough'
        ? `${this.core.config.region}/${this.tenantId}/${tokenHash(this.caller.token)}`
        : `${this.core.config.region}/${this.tenantId}/service`);
  }

  /** The cache scope of user data (keypairs belong to the user, not the project). */
  get identityScope(): string {
    this.#refuseInvalidCaller('identity');
    return (this.#identityScope ??=
      this.caller.kind === 'passthrough'
        ? `${this.core.config.region}/token/${tokenHash(this.caller.token)}`
        : `${this.core.config.region}/user/${this.core.config.serviceAccount?.username ?? ''}`);
  }

  /** Sends one operation; `path` is relative to the service root (and to /v2/{tenant} where used). */
  async call(service: ApiService, method: HttpMethod, path: string, options: CallOptions = NO_OPTIONS): Promise<UpstreamResponse> {
    this.#refuseInvalidCaller(service);
    const signal = options.shared ? undefined : this.signal;
    const account = this.caller.kind === 'service' ? this.core.account : undefined;
    // The service account's token first: its catalog may be where the endpoint comes from.
    let token: string;
    if (this.caller.kind === 'passthrough') token = this.caller.token;
    else token = account!.current() ?? (await untilAborted(account!.token(), signal, service));
    const found = this.core.endpoint(service);
    const endpoint = found instanceof Promise ? await untilAborted(found, signal, service) : found;
    const request = {
      service,
      method,
      origin: endpoint.origin,
      path: TENANT_IN_PATH[service] ? `${endpoint.basePath}/v2/${this.tenantId}${path}` : endpoint.basePath + path,
      body: options.body,
      contentType: options.contentType,
      notFoundIsNull: options.notFoundIsNull,
      signal,
      deadline: options.shared ? Date.now() + this.core.config.requestDeadlineMs : this.deadline,
      token,
      route: TENANT_IN_PATH[service] ? `/v2/{tenantId}${routeTemplate(path)}` : routeTemplate(path),
      telemetry: this.telemetry,
    };
    const transport = this.core.transport;
    // No renewal for a pass-through caller: it owns the token, and a 401 is its answer.
    if (account === undefined) return transport.send(request);
    try {
      return await transport.send(request);
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.status !== 401) throw error;
      // The token was refused before anything ran, so even a POST is safe to send once more.
      account.invalidate(request.token);
      request.token = await untilAborted(account.token(), signal, service);
      return transport.send(request);
    }
  }

  /**
   * A malformed token or tenant, or no caller at all, is refused before any call and before any cache
   * is read: a cached answer must not reach a caller the upstream would have refused.
   */
  #refuseInvalidCaller(service: UpstreamService): void {
    if (this.#callerProblem !== undefined) {
      throw new UpstreamError({ service, kind: 'http', status: 401, fault: 'Unauthorized', message: this.#callerProblem });
    }
  }

  /** Waits for a shared (cache) load, but only until this request's deadline. */
  waitFor<T>(promise: Promise<T>, service: ApiService): Promise<T> {
    return untilAborted(promise, this.signal, service);
  }
}

/** A caller's token as a cache and registry key: the token itself is never kept. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** `promise`, or a timeout UpstreamError as soon as `signal` aborts (the work itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, service: UpstreamService): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(deadlineError(service));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(deadlineError(service));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
