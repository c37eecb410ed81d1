// What every Neutron resource shares: list filters, request bodies and the NeutronError replies
// (neutron/api/v2/base.py, neutron/pecan_wsgi: `{"NeutronError": {type, message, detail}}`, the type
// being the exception's class name).

import type { RequestContext } from '../context.js';
import { neutronFault } from '../errors.js';
import { jsonReply, ReplyError, type Reply } from '../reply.js';

/** Keys of a list query that are not field filters. */
const NOT_FILTERS = new Set(['fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse']);

/** Neutron's field filters: every given key must match one of its values (repeated keys mean "any of"). */
export function filtered<T extends Record<string, unknown>>(documents: T[], query: URLSearchParams, special: Record<string, (doc: T, values: string[]) => boolean> = {}): T[] {
  const keys = [...new Set(query.keys())].filter((k) => !NOT_FILTERS.has(k));
  return documents.filter((doc) =>
    keys.every((key) => {
      const values = query.getAll(key);
      const test = special[key];
      return test ? test(doc, values) : values.includes(String(doc[key]));
    }),
  );
}

export function list<T extends Record<string, unknown>>(collection: string, make: (ctx: RequestContext) => T[], special?: Record<string, (doc: T, values: string[]) => boolean>) {
  return (ctx: RequestContext): Reply => jsonReply(200, { [collection]: filtered(make(ctx), ctx.query, special) });
}

export function neutronError(status: number, type: string, message: string): ReplyError {
  return new ReplyError(neutronFault(status, type, message));
}

/** A bad attribute, as neutron.api.v2.base reports a failed attribute validator. */
export function invalidAttribute(attribute: string, reason: string): ReplyError {
  return neutronError(400, 'HTTPBadRequest', `Invalid input for ${attribute}. Reason: ${reason}.`);
}

/** Python's repr of a string, as Neutron's messages quote values. */
export function quoted(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/**
 * The `{"<resource>": {...}}` object of a POST/PUT (neutron/api/v2/base.py prepare_request_body),
 * refusing attributes the resource does not have.
 */
export function resourceBody(ctx: RequestContext, resource: string, allowed: readonly string[]): Record<string, unknown> {
  const body = ctx.body;
  if (body === undefined || body === null) throw neutronError(400, 'HTTPBadRequest', 'Resource body required');
  if (typeof body !== 'object' || Array.isArray(body) || !(resource in body)) {
    throw neutronError(400, 'HTTPBadRequest', `Unable to find '${resource}' in request body`);
  }
  const inner = (body as Record<string, unknown>)[resource];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    throw neutronError(400, 'HTTPBadRequest', `Invalid format: ${JSON.stringify(inner)}`);
  }
  const unknown = Object.keys(inner).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw neutronError(400, 'HTTPBadRequest', `Unrecognized attribute(s) '${unknown.join(', ')}'`);
  return inner as Record<string, unknown>;
}

/** Neutron's string attributes: a string of at most `max` characters. */
export function stringAttribute(attribute: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw invalidAttribute(attribute, `${quoted(value)} is not a valid string`);
  if (value.length > max) throw invalidAttribute(attribute, `'${value}' exceeds maximum length of ${max}`);
  return value;
}

/** Neutron's project-scoped time format (`2025-03-03T01:15:46Z`). */
export function neutronTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
