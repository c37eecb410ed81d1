// GET /flavors, /flavors/detail and /flavors/{id}: NHN's flavor documents (nhn/compute-flavors-*.json):
// UUID ids, `swap` "" when there is none, and NHN's `extra_specs` even on plain /v2.

import type { RequestContext, Route, ServiceRoots } from '../context.js';
import { novaError } from '../errors.js';
import { jsonReply, type Reply } from '../reply.js';
import type { Flavor } from '../state.js';
import { nextLinks, pageRequest, takePage } from './paging.js';

export function resourceLinks(roots: ServiceRoots, collection: string, id: string) {
  return [
    { href: `${roots.compute}/${collection}/${id}`, rel: 'self' },
    { href: `${roots.computeBookmark}/${collection}/${id}`, rel: 'bookmark' },
  ];
}

function flavorSummary(flavor: Flavor, roots: ServiceRoots) {
  return { id: flavor.id, links: resourceLinks(roots, 'flavors', flavor.id), name: flavor.name };
}

function flavorDetail(flavor: Flavor, roots: ServiceRoots) {
  return {
    name: flavor.name,
    links: resourceLinks(roots, 'flavors', flavor.id),
    ram: flavor.ramMb,
    'OS-FLV-DISABLED:disabled': false,
    vcpus: flavor.vcpus,
    extra_specs: { ...flavor.extraSpecs },
    swap: '',
    'os-flavor-access:is_public': true,
    rxtx_factor: 1.0,
    'OS-FLV-EXT-DATA:ephemeral': 0,
    disk: flavor.diskGb,
    id: flavor.id,
  };
}

/** minDisk/minRam: Nova keeps flavors with root_gb >= minDisk and memory_mb >= minRam. */
function minimum(query: URLSearchParams, name: 'minDisk' | 'minRam'): number {
  const raw = query.get(name);
  if (raw === null) return 0;
  if (!/^\d+$/.test(raw)) throw novaError(400, `Invalid ${name} filter [${raw}]`);
  return Number(raw);
}

function listFlavors(ctx: RequestContext, detail: boolean): Reply {
  const minDisk = minimum(ctx.query, 'minDisk');
  const minRam = minimum(ctx.query, 'minRam');
  const page = pageRequest(ctx.query);
  const flavors = takePage(ctx.world.flavors, (f) => f.diskGb >= minDisk && f.ramMb >= minRam, (f) => f.id, page);
  const view = detail ? flavorDetail : flavorSummary;
  const body: Record<string, unknown> = { flavors: flavors.map((f) => view(f, ctx.roots)) };
  const links = nextLinks(`${ctx.roots.compute}/flavors${detail ? '/detail' : ''}`, ctx.query, page, flavors.at(-1)?.id, flavors.length);
  if (links) body.flavors_links = links;
  return jsonReply(200, body);
}

function showFlavor(ctx: RequestContext): Reply {
  const flavor = ctx.world.flavorsById.get(ctx.params[0]!);
  if (!flavor) throw novaError(404, `Flavor ${ctx.params[0]} could not be found.`);
  return jsonReply(200, { flavor: flavorDetail(flavor, ctx.roots) });
}

export const flavorRoutes: Route[] = [
  { method: 'GET', template: '/flavors', handler: (ctx) => listFlavors(ctx, false) },
  { method: 'GET', template: '/flavors/detail', handler: (ctx) => listFlavors(ctx, true) },
  { method: 'GET', template: '/flavors/{id}', handler: showFlavor },
];
