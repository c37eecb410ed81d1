// The one mapping from failures to GraphQL errors. Resolvers throw UpstreamError (from the upstream
// client) or the GraphQLErrors built here; Yoga's maskError hook calls `toClientError` on every error
// of a response, so the rules below are the only place where a code or a client message is chosen.

import { UpstreamError } from '../upstream/errors.js';
import type { UpstreamService } from '../upstream/types.js';
import { GraphQLError } from './graphql.js';

/**
 * `extensions.code` of every error the gateway itself answers (design.md), plus the refusals of the
 * operation limits (QUERY_TOO_COMPLEX: depth, aliases, directives, tokens or cost over its limit) and
 * of persisted-only mode.
 */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'QUOTA_EXCEEDED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'QUERY_TOO_COMPLEX',
  'PERSISTED_QUERY_ONLY',
  'PERSISTED_QUERY_NOT_FOUND',
  // Open subscriptions over their limit, per caller or in all (extensions.limit says which).
  'TOO_MANY_SUBSCRIPTIONS',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes GraphQL Yoga gives the requests it refuses before any resolver runs: a document that does
 * not parse or validate, a malformed HTTP request, an operation name that matches nothing, a body
 * over the size limit.
 */
export const PROTOCOL_ERROR_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'REQUEST_ENTITY_TOO_LARGE',
] as const;

const UNEXPECTED_MESSAGE = 'Unexpected error.';

export function gatewayError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** A client mistake found before any upstream call; `field` is the argument path (`input.name`). */
export function badUserInput(field: string, message: string): GraphQLError {
  return gatewayError('BAD_USER_INPUT', `${field}: ${message}`, { field });
}

/** The upstream answered without something it documents: its fault, mapped like any upstream failure. */
export function missingFromUpstream(service: UpstreamService, what: string): UpstreamError {
  return new UpstreamError({ service, kind: 'invalid-response', message: `The ${service} service answered without ${what}.` });
}

// Upstream messages are shown because they explain the failure ("Invalid key_name provided."); the
// upstream client already keeps URLs and secrets out of them, and this scrub is the second fence.
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const HOST_PORT = /\b(?:localhost|\d{1,3}(?:\.\d{1,3}){3}):\d{2,5}\b/gi;
const NHN_HOST = /\b(?:[a-z0-9-]+\.)+(?:nhncloudservice\.com|toast\.com)\b/gi;

export function scrub(message: string): string {
  return message.replace(URL_LIKE, '[url]').replace(HOST_PORT, '[host]').replace(NHN_HOST, '[host]');
}

// Nova's metadata_items quota says "Maximum number of metadata items exceeds 128".
const QUOTA = /quota|too many|limit exceeded|items exceeds/i;

function codeOf(error: UpstreamError): ErrorCode {
  if (error.kind === 'timeout') return 'UPSTREAM_TIMEOUT';
  if (error.kind !== 'http' || error.status === undefined) return 'UPSTREAM_UNAVAILABLE';
  // Keystone refusing the gateway's own service account is not the caller's doing: to the caller the
  // gateway is simply unavailable until its operator fixes the credentials.
  if (error.serviceAccount) return 'UPSTREAM_UNAVAILABLE';
  const status = error.status;
  if (status === 400) return 'BAD_USER_INPUT';
  if (status === 401) return 'UNAUTHENTICATED';
  // Nova turns OverQuota into 403 forbidden (not 413): only the message tells quota from policy.
  if (status === 403) return QUOTA.test(error.message) ? 'QUOTA_EXCEEDED' : 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 413) return 'QUOTA_EXCEEDED';
  // A URL or header the upstream found too long: an argument the caller made too long.
  if (status === 414 || status === 431) return 'BAD_USER_INPUT';
  if (status === 429 || status >= 500) return 'UPSTREAM_UNAVAILABLE';
  // 405, 415 and friends mean the gateway built a wrong request: our bug, not the caller's.
  return 'INTERNAL_SERVER_ERROR';
}

function messageOf(error: UpstreamError, code: ErrorCode): string {
  const service = error.service;
  switch (code) {
    case 'UPSTREAM_TIMEOUT':
      return `The ${service} service did not answer in time.`;
    case 'UPSTREAM_UNAVAILABLE':
      if (error.serviceAccount && error.kind === 'http' && (error.status ?? 0) < 500) {
        return `The gateway could not sign in to the ${service} service with its service account (HTTP ${error.status}); its operator must check the credentials.`;
      }
      // 5xx bodies carry internals (exception classes); the status is what a client can act on.
      return error.status === 429
        ? `The ${service} service is rate limiting requests; retry later.`
        : `The ${service} service is unavailable${error.status ? ` (HTTP ${error.status})` : ''}.`;
    case 'INTERNAL_SERVER_ERROR':
      return UNEXPECTED_MESSAGE;
    default:
      if (error.status === 414 || error.status === 431) {
        return `The ${service} service refused a request this long (HTTP ${error.status}): shorten the arguments.`;
      }
      return scrub(error.message) || `The ${service} service refused the request (HTTP ${error.status}).`;
  }
}

export function fromUpstream(error: UpstreamError): { message: string; extensions: Record<string, unknown> } {
  const code = codeOf(error);
  return {
    message: messageOf(error, code),
    extensions: {
      code,
      upstream: { service: error.service, status: error.status ?? null, requestId: error.requestId ?? null },
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    },
  };
}

function relocated(error: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  const copy = new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
  // graphql-jit's errors carry their locations without the AST nodes they came from.
  if (copy.locations === undefined && error.locations !== undefined) Object.assign(copy, { locations: error.locations });
  return copy;
}

/**
 * graphql-js (and graphql-jit) refuse a request whose variables are missing or of the wrong type with
 * a GraphQLError that has no code, no path and no original error: the caller's input, not a failure.
 */
export function isRequestInputError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.path !== undefined || error.originalError != null) return false;
  // graphql-jit's own GraphQLError subclass leaves `extensions` undefined.
  return typeof (error.extensions as Record<string, unknown> | undefined)?.code !== 'string';
}

/**
 * A request error without the string values of `variables` it quotes: graphql-js prints an invalid
 * variable's value into its message ("got invalid value { password: ... }"), and error messages end
 * up in client logs and error trackers. Other errors pass unchanged.
 */
export function withoutVariableValues(error: GraphQLError, variables: unknown): GraphQLError {
  if (!isRequestInputError(error)) return error;
  let message = error.message;
  // inspect() prints a string as JSON: quoted and escaped. Only that form is replaced, so that a short
  // value cannot cut words of the message itself.
  for (const value of stringsIn(variables)) message = message.split(JSON.stringify(value)).join('"[value]"');
  return message === error.message ? error : new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions });
}

function stringsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') found.push(value);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsIn(item, found);
  return found;
}

/**
 * What a client sees for any error of a response. GraphQLErrors that carry a code (the gateway's own,
 * Yoga's parse and validation errors) pass unchanged; UpstreamErrors get their code; a request's bad
 * variables get BAD_USER_INPUT; everything else is masked, including a GraphQLError at a field without
 * a code (a value the schema cannot serialize: our failure to map upstream data). Yoga logs every
 * error this replaces; gateway.ts decides at which level.
 */
export function toClientError(error: unknown): GraphQLError {
  if (!(error instanceof GraphQLError)) return gatewayError('INTERNAL_SERVER_ERROR', UNEXPECTED_MESSAGE);
  const original = error.originalError;
  if (original instanceof UpstreamError) {
    const mapped = fromUpstream(original);
    return relocated(error, mapped.message, mapped.extensions);
  }
  if (isRequestInputError(error)) return relocated(error, error.message, { ...error.extensions, code: 'BAD_USER_INPUT' });
  const coded = original == null || original instanceof GraphQLError;
  if (coded && typeof (error.extensions as Record<string, unknown> | undefined)?.code === 'string') return error;
  return relocated(error, UNEXPECTED_MESSAGE, { code: 'INTERNAL_SERVER_ERROR' });
}
