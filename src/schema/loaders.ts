// Batch functions behind the per-request DataLoaders. The DataLoader instances themselves are made
// by the Pothos dataloader plugin and kept per context object (so per request: nothing loaded for one
// caller is seen by another); the longer-lived caches (flavor catalogue, images, keypairs) live in the
// upstream client, keyed by tenant and caller. Each function answers one result per key, in key order:
// the record, null when the upstream does not know it, or an Error for that key alone.

import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { NovaFlavor, NovaVolumeAttachment } from '../upstream/types.js';
import type { Context } from './builder.js';
import { type Flavor, toFlavor } from './compute/flavor-mapping.js';
import { type Keypair, toKeypair } from './compute/keypair-mapping.js';
import { type PlacementPolicy, toPlacementPolicy } from './compute/placement-policy-mapping.js';
import { type Server, toServer } from './compute/server-mapping.js';
import { type VolumeAttachment, toVolumeAttachment } from './compute/volume-attachment-mapping.js';
import { type Image, toImage } from './image/image-mapping.js';
import { type Subnet, toSubnet } from './network/network-mapping.js';
import { type FloatingIp, toFloatingIp } from './network/floating-ip-mapping.js';
import { type Port, toPort } from './network/port-mapping.js';
import { type SecurityGroup, toSecurityGroup } from './network/security-group-mapping.js';
import { type Volume, toVolume } from './storage/volume-mapping.js';
import { type VolumeSnapshot, toVolumeSnapshot } from './storage/volume-snapshot-mapping.js';

type Result<T> = T | null | Error;

// ---- loader options ----------------------------------------------------------------------------------

/**
 * The options of every request DataLoader (`loaderOptions` of each loadable type and list). DataLoader
 * keeps its last batch (keys, resolvers, one closure per cache hit) after dispatching it, and Pothos
 * keeps the loaders in WeakMaps keyed by the request context, whose values V8's young-generation GC
 * (Node 20) treats as live. So every finished request's last batches were promoted to the old
 * generation and stayed there until the next full GC: ~0.1 MB per servers page with relations, a
 * third of the GC time of that page (issue #4). This schedule is DataLoader's default (after the
 * current promise jobs, then nextTick), so batches are the same; the loader just lets go of a batch
 * once dispatched (its promises settle through the references dispatch itself keeps).
 */
export const LOADER_OPTIONS = { batchScheduleFn: dispatchThenRelease };

const settledPromise = Promise.resolve();

/** DataLoader calls it as a method of the loader (`this`), with the dispatch of a new batch. */
function dispatchThenRelease(this: unknown, dispatch: () => void): void {
  const loader = this as { _batch?: { hasDispatched?: boolean } | null } | undefined;
  void settledPromise.then(() =>
    process.nextTick(() => {
      dispatch();
      // A dispatched batch is never reused: the next load starts a new one.
      if (loader?._batch?.hasDispatched === true) loader._batch = null;
    }),
  );
}

/** Runs `fetch` for every key at once; one failing key does not fail the others. */
async function settleEach<T>(keys: readonly string[], fetch: (key: string) => Promise<T>): Promise<Map<string, T | Error>> {
  const settled = await Promise.allSettled(keys.map(fetch));
  const results = new Map<string, T | Error>();
  keys.forEach((key, i) => {
    const outcome = settled[i]!;
    if (outcome.status === 'fulfilled') results.set(key, outcome.value);
    else results.set(key, outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason)));
  });
  return results;
}

function mapResult<R, T>(value: R | null | undefined | Error, convert: (raw: R) => T): Result<T> {
  if (value === null || value === undefined) return null;
  return value instanceof Error ? value : convert(value);
}

/** Records from one list call first; a GET each only for the keys the list lacks. */
async function listedOrFetched<R, T>(
  keys: readonly string[],
  listed: Map<string, R>,
  fetchOne: (key: string) => Promise<R | null>,
  convert: (raw: R) => T,
): Promise<Result<T>[]> {
  const fetched = await settleEach(keys.filter((key) => !listed.has(key)), fetchOne);
  return keys.map((key) => mapResult(listed.get(key) ?? fetched.get(key), convert));
}

// ---- flavors ---------------------------------------------------------------------------------------

/**
 * The flavor catalogue (`GET /flavors/detail`), fetched at most once per request. The `servers`
 * resolver starts it alongside the server list when `flavor` is selected, so the flavor batch that
 * follows finds it loaded or in flight instead of adding a round trip.
 */
export const flavorCatalogue = createContextCache(
  async (ctx: Context): Promise<Map<string, NovaFlavor>> =>
    new Map((await ctx.session().compute.listFlavors()).map((f) => [String(f.id), f])),
);

export function prefetchFlavorCatalogue(ctx: Context): void {
  // A failure surfaces where the catalogue is awaited (the flavor fields); this handler only keeps
  // it from counting as unhandled when nothing awaits it (the list itself failed first).
  flavorCatalogue(ctx).catch(() => undefined);
}

/** The catalogue first; `GET /flavors/{id}` only for ids it lacks (private or just-created flavors). */
export async function loadFlavors(ids: readonly string[], ctx: Context): Promise<Result<Flavor>[]> {
  return listedOrFetched(ids, await flavorCatalogue(ctx), (id) => ctx.session().compute.getFlavor(id), toFlavor);
}

// ---- images, keypairs, volumes, servers -------------------------------------------------------------

/** One `GET /v2/images?id=in:...` for the batch (the upstream client falls back to per-id GETs). */
export async function loadImages(ids: readonly string[], ctx: Context): Promise<Result<Image>[]> {
  const found = await ctx.session().image.getImages(ids);
  return ids.map((id) => mapResult(found.get(id), toImage));
}

/** The keypair list (cached upstream), then `GET /os-keypairs/{name}` only for names not in it. */
export async function loadKeypairs(names: readonly string[], ctx: Context): Promise<Result<Keypair>[]> {
  const listed = new Map((await ctx.session().compute.listKeypairs()).map((k) => [k.name, k]));
  return listedOrFetched(names, listed, (name) => ctx.session().compute.getKeypair(name), toKeypair);
}

/** Volumes of the batch (the upstream client reads them one GET each; Cinder v2 has no id filter). */
export async function loadVolumes(ids: readonly string[], ctx: Context): Promise<Result<Volume>[]> {
  const found = await ctx.session().volume.getVolumes(ids);
  return ids.map((id) => mapResult(found.get(id), toVolume));
}

/**
 * Nova has no id filter on the server list, so a batch is one `GET /servers/{id}` per id, all at
 * once. (A single `servers/detail` would have to page through every server of the tenant.)
 */
export async function loadServers(ids: readonly string[], ctx: Context): Promise<Result<Server>[]> {
  const fetched = await settleEach(ids, (id) => ctx.session().compute.getServer(id));
  return ids.map((id) => mapResult(fetched.get(id), toServer));
}

/**
 * Placement policies (server groups): one `GET /os-server-groups/{id}` for a single id, else one list
 * (a project has at most 10 groups, so the list is small); an id the list lacks is null.
 */
export async function loadPlacementPolicies(ids: readonly string[], ctx: Context): Promise<Result<PlacementPolicy>[]> {
  const compute = ctx.session().compute;
  if (ids.length === 1) return [mapResult(await compute.getServerGroup(ids[0]!), toPlacementPolicy)];
  const listed = new Map((await compute.listServerGroups()).map((group) => [group.id, group]));
  return ids.map((id) => mapResult(listed.get(id), toPlacementPolicy));
}

/**
 * Attachment lists started before their server was read. `server(id)` starts the list alongside
 * `GET /servers/{id}` when `volumeAttachments` is selected (the id is all the call needs), so a server
 * with its volumes costs two round trips instead of three. Only the default page (no `limit` or
 * `offset`) is started early.
 */
const earlyAttachmentLists = createContextCache(() => new Map<string, Promise<NovaVolumeAttachment[]>>());

export function prefetchVolumeAttachments(ctx: Context, serverId: string): void {
  const lists = earlyAttachmentLists(ctx);
  if (lists.has(serverId)) return;
  const list = ctx.session().compute.listVolumeAttachments(serverId);
  // As for the flavor catalogue: a failure surfaces where the list is awaited; this only keeps it from
  // counting as unhandled when nothing awaits it (no such server).
  list.catch(() => undefined);
  lists.set(serverId, list);
}

export async function loadVolumeAttachments(
  serverIds: readonly string[],
  ctx: Context,
  page: { limit?: number; offset?: number },
): Promise<(VolumeAttachment[] | Error)[]> {
  const early = page.limit === undefined && page.offset === undefined ? earlyAttachmentLists(ctx) : undefined;
  const fetched = await settleEach(serverIds, (id) => early?.get(id) ?? ctx.session().compute.listVolumeAttachments(id, page));
  return serverIds.map((id) => {
    const list = fetched.get(id);
    if (list instanceof Error) return list;
    return (list ?? []).map((raw) => toVolumeAttachment(raw, id));
  });
}

// ---- networks ----------------------------------------------------------------------------------------

/** Every subnet of the tenant, fetched once per request and grouped by network. */
export const subnetsByNetwork = createContextCache(async (ctx: Context) => {
  const groups = new Map<string, Subnet[]>();
  for (const subnet of (await ctx.session().network.listSubnets()).map(toSubnet)) {
    const key = subnet.networkId ?? '';
    groups.set(key, [...(groups.get(key) ?? []), subnet]);
  }
  return groups;
});

// ---- the network around servers ----------------------------------------------------------------------
// Neutron list filters take a key repeated ("any of"), so each batch below is one list call (split by
// the upstream client only past 100 ids). Records the list does not return are null: Neutron's lists
// show only what the caller's project may see, so another project's id reads as "not found".

function byId<R extends { id: string }, T>(keys: readonly string[], records: R[], convert: (raw: R) => T): Result<T>[] {
  const found = new Map(records.map((r) => [r.id, r]));
  return keys.map((key) => mapResult(found.get(key), convert));
}

/**
 * The project's security groups, one `GET /v2.0/security-groups` per request. Groups reach each other
 * (a rule's remote group, a port's groups, the groups of the ports of those groups' rules...), so
 * loading them by id would cost a call per level of the query; a project holds tens of groups, and
 * the whole list answers every level at once.
 */
export const securityGroupCatalogue = createContextCache(
  async (ctx: Context): Promise<Map<string, SecurityGroup>> =>
    new Map((await ctx.session().network.listSecurityGroups()).map((raw) => [raw.id, toSecurityGroup(raw)])),
);

/** Groups by id from the request's one group list (`securityGroups`, remote groups, ports' groups, `_entities`). */
export async function loadSecurityGroups(ids: readonly string[], ctx: Context): Promise<Result<SecurityGroup>[]> {
  const groups = await securityGroupCatalogue(ctx);
  return ids.map((id) => groups.get(id) ?? null);
}

/** One `GET /v2.0/ports?id=...` per batch. */
export async function loadPorts(ids: readonly string[], ctx: Context): Promise<Result<Port>[]> {
  return byId(ids, await ctx.session().network.listPorts({ ids }), toPort);
}

/** One `GET /v2.0/floatingips?id=...` per batch. */
export async function loadFloatingIps(ids: readonly string[], ctx: Context): Promise<Result<FloatingIp>[]> {
  return byId(ids, await ctx.session().network.listFloatingIps({ ids }), toFloatingIp);
}

/**
 * The ports of a page of servers: one `GET /v2.0/ports?device_id=...` for all of them. `Server.ports`
 * and `Server.floatingIps` share it, so asking for both costs one ports call.
 */
export const portsByServer = createContextCache(
  (ctx: Context) =>
    new DataLoader<string, Port[]>(async (serverIds) => {
      const groups = new Map<string, Port[]>();
      for (const raw of await ctx.session().network.listPorts({ deviceIds: serverIds })) {
        const key = typeof raw.device_id === 'string' ? raw.device_id : '';
        groups.set(key, [...(groups.get(key) ?? []), toPort(raw)]);
      }
      return serverIds.map((id) => groups.get(id) ?? []);
    }, LOADER_OPTIONS),
);

/**
 * The floating IP of each port: one `GET /v2.0/floatingips?port_id=...` per batch. `Port.floatingIp`
 * and `Server.floatingIps` of a page both wait for the same ports call, so they join one batch.
 */
export const floatingIpByPort = createContextCache(
  (ctx: Context) =>
    new DataLoader<string, FloatingIp | null>(async (portIds) => {
      const found = new Map<string, FloatingIp>();
      for (const raw of await ctx.session().network.listFloatingIps({ portIds })) {
        if (typeof raw.port_id === 'string') found.set(raw.port_id, toFloatingIp(raw));
      }
      return portIds.map((id) => found.get(id) ?? null);
    }, LOADER_OPTIONS),
);

/** NHN's `security-group-ports` takes one group: one call per distinct group, all at once. */
export const portsBySecurityGroup = createContextCache(
  (ctx: Context) =>
    new DataLoader<string, Port[]>(async (groupIds) => {
      const fetched = await settleEach(groupIds, (id) => ctx.session().network.listSecurityGroupPorts(id));
      return groupIds.map((id) => {
        const ports = fetched.get(id);
        return ports instanceof Error ? ports : (ports ?? []).map(toPort);
      });
    }, LOADER_OPTIONS),
);
// ---- volume snapshots --------------------------------------------------------------------------------

/** One `GET /snapshots/{id}` per snapshot of the batch, at once (lists prime the loader instead). */
export async function loadVolumeSnapshots(ids: readonly string[], ctx: Context): Promise<Result<VolumeSnapshot>[]> {
  const fetched = await settleEach(ids, (id) => ctx.session().volume.getSnapshot(id));
  return ids.map((id) => mapResult(fetched.get(id), toVolumeSnapshot));
}

/**
 * Every snapshot of the tenant (`GET /snapshots/detail`, all pages), fetched at most once per request
 * and grouped by volume: `Volume.snapshots` for a whole page of volumes costs this one call.
 */
export const snapshotsByVolume = createContextCache(async (ctx: Context) => {
  const groups = new Map<string, VolumeSnapshot[]>();
  for (const snapshot of (await ctx.session().volume.listSnapshots()).map(toVolumeSnapshot)) {
    groups.set(snapshot.volumeId, [...(groups.get(snapshot.volumeId) ?? []), snapshot]);
  }
  return groups;
});
