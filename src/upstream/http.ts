// The one way the gateway talks HTTP to NHN: keep-alive pools per origin, timeouts, the retry policy,
// the circuit breakers, JSON parsing with a size limit, and the one mapping of every failure (error
// bodies of Nova/Cinder, Keystone, Glance and Neutron, connection errors, timeouts) to UpstreamError.

import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import type { Config } from '../config.js';
import type { RequestTelemetry, UpstreamTelemetry } from '../observability/upstream.js';
import { type BreakerState, CircuitBreaker } from './breaker.js';
import { UpstreamError } from './errors.js';
import type { UpstreamService } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface UpstreamRequest {
  service: UpstreamService;
  method: HttpMethod;
  origin: string;
  /** Path and query, already encoded. */
  path: string;
  /** Sent as X-Auth-Token. */
  token?: string;
  /** Serialised as JSON. */
  body?: unknown;
  /** The body's media type when it is not plain JSON (Glance's JSON patch). */
  contentType?: string;
  /** The request deadline's signal: aborts the call and any retry wait. */
  signal?: AbortSignal;
  /** Epoch ms after which no retry is started. */
  deadline: number;
  /** A 404 answers `{status: 404, body: undefined}` instead of throwing (the getX -> null cases). */
  notFoundIsNull?: boolean;
  /** Further strings that must never reach an error message (a password being sent). */
  secrets?: readonly string[];
  /** The route template (`/v2/{tenantId}/servers/{id}`): what metrics and spans name the call by. */
  route?: string;
  /** The GraphQL request this call serves: counts its calls, parents its spans. */
  telemetry?: RequestTelemetry;
}

export interface UpstreamResponse {
  status: number;
  /** The parsed JSON body; undefined when the answer had none. */
  body: unknown;
  headers: Dispatcher.ResponseData['headers'];
}

/** Error bodies are only read for their message: no need to accept megabytes of them. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_MESSAGE_LENGTH = 500;
const USER_AGENT = 'nhn-compute-graphql-gateway';

export class HttpTransport {
  readonly #agent: Agent;
  readonly #breakers = new Map<UpstreamService, CircuitBreaker>();
  readonly #settings: Config['upstream'];
  readonly #telemetry: UpstreamTelemetry | undefined;

  constructor(settings: Config['upstream'], telemetry?: UpstreamTelemetry) {
    this.#settings = settings;
    this.#telemetry = telemetry;
    // An Agent keeps one keep-alive pool per origin, sized by `connections`.
    this.#agent = new Agent({
      connections: settings.connectionsPerOrigin,
      connect: { timeout: settings.connectTimeoutMs },
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: settings.bodyTimeoutMs,
    });
  }

  #breaker(service: UpstreamService): CircuitBreaker {
    let breaker = this.#breakers.get(service);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(this.#settings.breakerFailureThreshold, this.#settings.breakerResetMs);
      this.#breakers.set(service, breaker);
    }
    return breaker;
  }

  /**
   * Sends the request under the service's breaker; GETs are retried on connection errors and
   * 502/503/504 (idempotent), nothing else is: a POST that reached the server may have been executed.
   */
  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const breaker = this.#breaker(request.service);
    let error: UpstreamError | undefined;
    for (let attempt = 0; ; attempt++) {
      if (request.signal?.aborted) throw deadlineError(request.service);
      // When this call's own failures opened the breaker, its last real error says more.
      if (!breaker.tryAcquire()) throw error ?? breakerOpenError(request.service, breaker.msUntilProbe());
      if (request.telemetry !== undefined) request.telemetry.upstreamCalls++;
      const attempted = this.#telemetry?.attempt(request, attempt);
      try {
        const response = await this.#attempt(request);
        attempted?.(response.status);
        breaker.recordSuccess();
        return response;
      } catch (thrown) {
        if (request.signal?.aborted) {
          attempted?.(undefined, 'aborted');
          breaker.recordNeutral();
          throw deadlineError(request.service);
        }
        error = thrown instanceof UpstreamError ? thrown : errorFromFailure(request.service, thrown);
        attempted?.(error.status, error.status === undefined ? error.kind : undefined);
      }
      if (countsAgainstBreaker(error)) {
        const before: BreakerState = breaker.state;
        breaker.recordFailure();
        if (before !== 'open' && breaker.state === 'open') this.#telemetry?.breakerOpened(request.service);
      } else breaker.recordSuccess();
      if (request.method !== 'GET' || attempt >= this.#settings.maxRetries || !isRetryable(error)) throw error;
      this.#telemetry?.retried(request);
      const delayMs = retryDelayMs(attempt, this.#settings.retryBaseDelayMs, error.retryAfterSeconds);
      // Waiting past the deadline would only turn an informative error into a timeout.
      if (Date.now() + delayMs >= request.deadline) throw error;
      try {
        await sleep(delayMs, undefined, { signal: request.signal });
      } catch {
        throw deadlineError(request.service);
      }
    }
  }

  /** Each service's breaker, once it was used (read by the metrics at scrape time). */
  *breakerStates(): Iterable<[UpstreamService, BreakerState]> {
    for (const [service, breaker] of this.#breakers) yield [service, breaker.state];
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  async #attempt(request: UpstreamRequest): Promise<UpstreamResponse> {
    const headers = ['accept', 'application/json', 'user-agent', USER_AGENT];
    if (request.token !== undefined) headers.push('x-auth-token', request.token);
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers.push('content-type', request.contentType ?? 'application/json');
    }
    const response = await this.#agent.request({
      origin: request.origin,
      path: request.path,
      method: request.method,
      headers,
      body,
      signal: request.signal,
    });
    const { statusCode: status } = response;
    if (status >= 200 && status < 300) {
      const raw = await readBody(response, this.#settings.maxResponseBytes);
      if (raw === null) throw invalidResponse(request.service, 'is larger than allowed', response.headers);
      return { status, body: raw.length === 0 ? undefined : parseJson(request.service, raw, response.headers), headers: response.headers };
    }
    if (status === 404 && request.notFoundIsNull === true) {
      await response.body.dump();
      return { status, body: undefined, headers: response.headers };
    }
    const raw = await readBody(response, MAX_ERROR_BODY_BYTES);
    const secrets = request.token === undefined ? request.secrets : [request.token, ...(request.secrets ?? [])];
    throw errorFromResponse(request.service, status, response.headers, raw?.toString('utf8') ?? '', {
      host: new URL(request.origin).hostname,
      secrets,
    });
  }
}

// ---- bodies ----------------------------------------------------------------------------------

/**
 * The whole body, or null when it is larger than `limit` bytes (the connection is then dropped rather
 * than drained). Plain 'data' events: cheaper than an async iterator on this hot path.
 */
function readBody(response: Dispatcher.ResponseData, limit: number): Promise<Buffer | null> {
  const { body } = response;
  if (Number(response.headers['content-length']) > limit) {
    // Destroying emits an abort error nobody else listens for.
    body.on('error', ignore).destroy();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.destroy();
        resolve(null);
      } else chunks.push(chunk);
    });
    body.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    body.on('error', reject);
  });
}

function ignore(): void {}

function parseJson(service: UpstreamService, raw: Buffer, headers: UpstreamResponse['headers']): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidResponse(service, 'is not valid JSON', headers);
  }
}

export function invalidResponse(service: UpstreamService, what: string, headers?: UpstreamResponse['headers']): UpstreamError {
  return new UpstreamError({
    service,
    kind: 'invalid-response',
    message: `The ${service} service's answer ${what}`,
    requestId: headers === undefined ? undefined : requestIdOf(headers),
  });
}

/**
 * The member `key` of a 2xx body: an object, or an array of objects. With `identity`, the object (each
 * object of the array) must carry that member as a non-empty string: the id a record is known by.
 * A body without what the operation needs is as unusable as one that is not JSON, and fails the same
 * way (kind invalid-response): the mappers can then take any other member in any shape, but never a
 * record that is not an object or has no id.
 */
export function member<T>(service: UpstreamService, body: unknown, key: string, shape: 'array' | 'object', identity?: string): T {
  const value = isRecord(body) ? body[key] : undefined;
  if (shape === 'array' ? !Array.isArray(value) : !isRecord(value)) throw invalidResponse(service, `has no "${key}" ${shape}`);
  const items: unknown[] = shape === 'array' ? (value as unknown[]) : [value];
  for (const item of items) {
    if (!isRecord(item)) throw invalidResponse(service, `has a "${key}" item that is not an object`);
    if (identity !== undefined && !(typeof item[identity] === 'string' && item[identity] !== '')) {
      throw invalidResponse(service, `has a "${key}" record without its "${identity}"`);
    }
  }
  return value as T;
}

// ---- failures ----------------------------------------------------------------------------------

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** A thrown connection-level error (undici or socket) as an UpstreamError. */
function errorFromFailure(service: UpstreamService, thrown: unknown): UpstreamError {
  const code = (thrown as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new UpstreamError({ service, kind: 'timeout', message: `The ${service} service did not answer in time` });
  }
  // Only the error code is kept: undici's and the socket's messages name hosts and ports.
  const detail = typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? ` (${code})` : '';
  return new UpstreamError({ service, kind: 'unavailable', message: `The ${service} service could not be reached${detail}` });
}

export function deadlineError(service: UpstreamService): UpstreamError {
  return new UpstreamError({
    service,
    kind: 'timeout',
    message: `The request deadline passed before the ${service} service answered`,
  });
}

function breakerOpenError(service: UpstreamService, msUntilProbe: number): UpstreamError {
  return new UpstreamError({
    service,
    kind: 'unavailable',
    message: `The ${service} service is failing; calls to it are paused`,
    retryAfterSeconds: Math.max(1, Math.ceil(msUntilProbe / 1000)),
  });
}

/** Connection errors, timeouts and 5xx say the service is in trouble; 4xx and bad bodies do not. */
function countsAgainstBreaker(error: UpstreamError): boolean {
  return error.kind === 'unavailable' || error.kind === 'timeout' || (error.status ?? 0) >= 500;
}

/**
 * Connection errors and gateway-type statuses are worth a retry. Timeouts are not: a service that
 * hangs is usually overloaded, and a retry would spend the rest of the deadline on the same wait.
 */
function isRetryable(error: UpstreamError): boolean {
  return error.kind === 'unavailable' || error.status === 502 || error.status === 503 || error.status === 504;
}

/**
 * Milliseconds to wait before retry number `attempt + 1`: the upstream's Retry-After when it sent
 * one, else "full jitter" (uniform in [0, base * 2^attempt]) so that many gateways retrying the same
 * outage do not hit it in lockstep.
 */
export function retryDelayMs(
  attempt: number,
  baseDelayMs: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000;
  return Math.floor(random() * baseDelayMs * 2 ** attempt);
}

/** Retry-After as whole seconds: delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function requestIdOf(headers: UpstreamResponse['headers']): string | undefined {
  const value = headers['x-openstack-request-id'] ?? headers['x-compute-request-id'];
  return Array.isArray(value) ? value[0] : value;
}

/** What an error body says, whatever the service's format. */
export interface ErrorBodyFacts {
  message?: string;
  fault?: string;
}

/**
 * Reads an error body: Nova/Cinder `{"<fault>": {code, message}}`, Keystone `{"error": {code, title,
 * message}}`, Neutron `{"NeutronError": {type, message}}`, a flat `{message}`, or Glance's text/HTML.
 */
export function parseErrorBody(text: string): ErrorBodyFacts {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { message: plainText(trimmed) };
    }
    return factsFromJson(parsed);
  }
  return { message: plainText(trimmed) };
}

function factsFromJson(parsed: unknown): ErrorBodyFacts {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const body = parsed as Record<string, unknown>;
  if (typeof body.message === 'string') return { message: body.message, fault: stringOr(body.title) };
  if (isRecord(body.error)) {
    return { message: stringOr(body.error.message), fault: stringOr(body.error.title) };
  }
  for (const [name, value] of Object.entries(body)) {
    if (!isRecord(value)) continue;
    const message = stringOr(value.message);
    if (message === undefined && value.code === undefined) continue;
    // Neutron names its fault in `type` under one fixed key.
    return { message, fault: name === 'NeutronError' ? (stringOr(value.type) ?? name) : name };
  }
  return {};
}

/** Glance answers with webob's text or HTML: "<h1>400 Bad Request</h1> limit param must be ..." */
function plainText(text: string): string | undefined {
  const withoutMarkup = text
    .replace(/<(head|script|style|title|h1)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, entity: string) => ENTITIES[entity] ?? ' ');
  const lines = withoutMarkup
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  // webob's text form starts with the status line ("400 Bad Request"), which the status already says.
  if (lines.length > 1 && /^\d{3} [A-Za-z -]+$/.test(lines[0]!)) lines.shift();
  const joined = lines.join(' ').replace(/\s+/g, ' ').trim();
  return joined === '' ? undefined : joined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

// Host names without a port or scheme, recognised by their top-level domain (a dotted Python class
// name such as nova.exception.InstanceNotFound must survive).
const HOST_NAME = /\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|cloud|kr|jp|us|local|internal|localdomain)\b/g;

/**
 * Keeps an upstream message safe to show: no URLs, hosts, addresses, tokens or passwords, one line,
 * bounded length.
 */
export function sanitizeMessage(message: string, context: { host?: string; secrets?: readonly string[] } = {}): string {
  let safe = message;
  for (const secret of context.secrets ?? []) {
    if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  }
  safe = safe
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '[url]')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '[host]')
    .replace(/\b(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+):\d{2,5}\b/gi, '[host]')
    .replace(HOST_NAME, '[host]');
  if (context.host) safe = safe.split(context.host).join('[host]');
  safe = safe.replace(/\s+/g, ' ').trim();
  return safe.length > MAX_MESSAGE_LENGTH ? `${safe.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : safe;
}

/** The one mapping of an upstream error answer to UpstreamError. */
export function errorFromResponse(
  service: UpstreamService,
  status: number,
  headers: UpstreamResponse['headers'],
  bodyText: string,
  context: { host?: string; secrets?: readonly string[] } = {},
): UpstreamError {
  const facts = parseErrorBody(bodyText);
  const message = facts.message === undefined ? '' : sanitizeMessage(facts.message, context);
  return new UpstreamError({
    service,
    kind: 'http',
    status,
    fault: facts.fault === undefined ? undefined : sanitizeMessage(facts.fault, context),
    message: message === '' ? `The ${service} service answered ${status}` : message,
    requestId: requestIdOf(headers),
    retryAfterSeconds: parseRetryAfter(headers['retry-after']),
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
