import type { UpstreamService } from './types.js';

/**
 * How an upstream call failed:
 * - `http`: the service answered with an error status (`status` is set);
 * - `timeout`: connect, headers or body took longer than allowed, or the request deadline passed;
 * - `unavailable`: the connection failed, or the service's circuit breaker is open;
 * - `invalid-response`: the service answered 2xx with a body that is not the JSON we need.
 */
export type UpstreamErrorKind = 'http' | 'timeout' | 'unavailable' | 'invalid-response';

/**
 * The one typed error every upstream failure becomes. `message` is the upstream's own text (Nova's
 * `{"<fault>": {message}}`, Keystone's `{"error": {message}}`, Glance's text body) or a fixed
 * description; it never contains URLs, hosts, tokens or passwords.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly service: UpstreamService;
  readonly kind: UpstreamErrorKind;
  readonly status?: number;
  /** Nova/Cinder fault name such as `conflictingRequest`, or Keystone's title. */
  readonly fault?: string;
  readonly requestId?: string;
  /** Seconds from a `Retry-After` header, when the upstream sent one. */
  readonly retryAfterSeconds?: number;
  /**
   * True when the call that failed was the gateway signing in with its own service account: whatever
   * the status, the operator has to act (a changed API password), not the caller.
   */
  readonly serviceAccount: boolean;

  constructor(init: {
    service: UpstreamService;
    kind: UpstreamErrorKind;
    message: string;
    status?: number;
    fault?: string;
    requestId?: string;
    retryAfterSeconds?: number;
    serviceAccount?: boolean;
  }) {
    super(init.message);
    this.service = init.service;
    this.kind = init.kind;
    this.status = init.status;
    this.fault = init.fault;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.serviceAccount = init.serviceAccount ?? false;
  }

  /** The same failure, marked as the service account's own sign-in. */
  ofServiceAccount(): UpstreamError {
    const { service, kind, message, status, fault, requestId, retryAfterSeconds } = this;
    return new UpstreamError({ service, kind, message, status, fault, requestId, retryAfterSeconds, serviceAccount: true });
  }
}
