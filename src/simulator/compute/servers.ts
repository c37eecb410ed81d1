// GET/POST /servers, GET /servers/detail, GET/PUT/DELETE /servers/{id}. Lists are newest first
// (Nova's default sort: created_at desc), filtered as Nova filters for non-admins on /v2.

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { rawJsonReply, type Reply } from '../reply.js';
import type { Server, Tenant } from '../state.js';
import { findServer, idFromHref } from './lookup.js';
import { statusMatcher } from './lifecycle.js';
import { nextLinks, pageRequest, takePage } from './paging.js';
import { serverDetailJson, serverSummary } from './server-view.js';
import { createServer } from './server-create.js';
import { deleteServer, updateServer } from './server-update.js';

const ISO_8601 = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses ISO 8601 as Nova's timeutils.parse_isotime does: a date, an optional time and zone (UTC when none). */
function parseChangesSince(raw: string): number {
  const m = ISO_8601.exec(raw.trim());
  const zone = m?.[3]?.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') ?? 'Z';
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00'}${zone}`) : NaN;
  if (Number.isNaN(ms)) throw novaError(400, 'Invalid filter field: changes-since.');
  return ms;
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** A regex filter; MySQL's REGEXP (behind NHN's Nova) ignores case. A bad pattern matches literally. */
function regexFilter(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
}

type Filter = (server: Server) => boolean;

/** The non-admin filters Nova keeps on /v2; it silently drops any other query key. */
function serverFilters(ctx: RequestContext): { filters: Filter[]; since?: number; nothingMatches: boolean } {
  const q = ctx.query;
  const filters: Filter[] = [];
  let nothingMatches = false;
  const name = q.get('name');
  if (name !== null) {
    const re = regexFilter(name);
    filters.push((s) => re.test(s.name));
  }
  const status = q.get('status');
  if (status !== null) {
    const matcher = statusMatcher(status);
    // An unknown status gives an empty list on /v2 (400 only from microversion 2.38).
    if (matcher) filters.push(matcher);
    else nothingMatches = true;
  }
  const flavor = q.get('flavor');
  if (flavor !== null) {
    const id = idFromHref(flavor);
    // Nova looks the flavor up first; an unknown flavor gives an empty list.
    if (!ctx.world.flavorsById.has(id)) nothingMatches = true;
    filters.push((s) => s.flavorId === id);
  }
  const image = q.get('image');
  if (image !== null) {
    const id = idFromHref(image);
    filters.push((s) => s.imageId === id);
  }
  const reservation = q.get('reservation_id');
  if (reservation !== null) filters.push((s) => s.reservationId === reservation);
  const ip = q.get('ip');
  if (ip !== null) {
    const re = regexFilter(ip);
    filters.push((s) => s.nics.some((n) => re.test(n.ip)));
  }
  const changesSince = q.get('changes-since');
  let since: number | undefined;
  if (changesSince !== null) {
    since = parseChangesSince(changesSince);
    const from = since;
    // updated_at is a DATETIME without fractional seconds, compared inclusively (nova/db/main/api.py
    // _get_query_nova_resource_by_changes_time); a build request has no updated_at and ignores the
    // filter (nova/objects/build_request.py).
    filters.push((s) => s.buildRequest !== null || wholeSeconds(s.updatedAt) >= from);
  }
  return { filters, since, nothingMatches };
}

/**
 * changes-since also lists deleted servers (status DELETED) until they are archived (the world's
 * retention); the others only live ones.
 */
function candidates(tenant: Tenant, includeDeleted: boolean, now: number, retentionMs: number): readonly Server[] {
  const live = tenant.serversNewestFirst();
  if (!includeDeleted || tenant.deletedServers.length === 0) return live;
  const kept = tenant.deletedServers.filter((s) => (s.terminatedAt ?? 0) + retentionMs > now);
  return [...live, ...kept].sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Whole list pages, ready to send, per tenant and query; valid while the tenant's servers are
 * unchanged. A benchmark polling one 100-server page then costs a lookup instead of a 200 KB join.
 */
const pageCache = new WeakMap<Tenant, Map<string, { version: number; body: Buffer }>>();
/** Pages of a 1000-server tenant are ~2 MB each; a small cache bounds the memory. */
const PAGE_CACHE_ENTRIES = 16;

function cachedPage(tenant: Tenant, key: string, render: () => string): Buffer {
  let pages = pageCache.get(tenant);
  if (!pages) pageCache.set(tenant, (pages = new Map()));
  const hit = pages.get(key);
  if (hit?.version === tenant.version) return hit.body;
  if (pages.size >= PAGE_CACHE_ENTRIES) pages.clear();
  const body = Buffer.from(render());
  pages.set(key, { version: tenant.version, body });
  return body;
}

function listServers(ctx: RequestContext, detail: boolean): Reply {
  // changes-since depends on the clock's view of updates, and a build request's `updated` on the
  // time of the read, so neither is cached.
  if (ctx.query.has('changes-since') || ctx.tenant.hasBuildRequests()) return rawJsonReply(200, renderList(ctx, detail));
  return rawJsonReply(200, cachedPage(ctx.tenant, `${detail}?${ctx.query.toString()}`, () => renderList(ctx, detail)));
}

function renderList(ctx: RequestContext, detail: boolean): string {
  const page = pageRequest(ctx.query);
  const { filters, since, nothingMatches } = serverFilters(ctx);
  const all = candidates(ctx.tenant, since !== undefined, ctx.now, ctx.world.deletedRetentionMs);
  const servers = nothingMatches && page.marker === undefined
    ? []
    : takePage(all, (s) => !nothingMatches && filters.every((f) => f(s)), (s) => s.id, page);
  const items = detail
    ? servers.map((s) => serverDetailJson(s, ctx.roots, ctx.now))
    : servers.map((s) => JSON.stringify(serverSummary(s, ctx.roots)));
  const links = nextLinks(`${ctx.roots.compute}/servers${detail ? '/detail' : ''}`, ctx.query, page, servers.at(-1)?.id, servers.length);
  const linkPart = links ? `,"servers_links":${JSON.stringify(links)}` : '';
  return `{"servers":[${items.join(',')}]${linkPart}}`;
}

function showServer(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  return rawJsonReply(200, `{"server":${serverDetailJson(server, ctx.roots, ctx.now)}}`);
}

export const serverRoutes: Route[] = [
  { method: 'GET', template: '/servers', handler: (ctx) => listServers(ctx, false) },
  { method: 'GET', template: '/servers/detail', handler: (ctx) => listServers(ctx, true) },
  { method: 'POST', template: '/servers', handler: createServer },
  { method: 'GET', template: '/servers/{id}', handler: showServer },
  { method: 'PUT', template: '/servers/{id}', handler: updateServer },
  { method: 'DELETE', template: '/servers/{id}', handler: deleteServer },
];
