// /servers/{id}/metadata: list, show, set and delete one key (NHN's guide; Nova server_metadata.py).
// Keys match Nova's pattern and keys and values hold at most 255 characters; the body key must be the
// URL key; a server holds at most 128 items (Nova's metadata_items quota, 403); a change needs the
// server active, paused, suspended or stopped with no task running (409).

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import { checkMetadata, invalid, pyRepr, requireKey, requireObject } from '../validation.js';
import { checkState, type StateRule } from './lifecycle.js';
import { findServer } from './lookup.js';

/** compute/api.py update_instance_metadata and delete_instance_metadata. */
const METADATA_CHANGE: StateRule = { vmStates: ['active', 'paused', 'suspended', 'stopped'] };

const notFound = () => novaError(404, 'Metadata item was not found');

function listMetadata(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  return jsonReply(200, { metadata: { ...server.metadata } });
}

function showMetadataItem(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  const key = ctx.params[1]!;
  if (!Object.hasOwn(server.metadata, key)) throw notFound();
  return jsonReply(200, { meta: { [key]: server.metadata[key] } });
}

/** schemas/server_metadata.py update: `meta` is a metadata object of exactly one item. */
function parseMeta(body: unknown): Record<string, string> {
  const root = requireObject([], body);
  const meta = checkMetadata(['meta'], requireKey([], root, 'meta'));
  const count = Object.keys(meta).length;
  if (count < 1) throw invalid(['meta'], meta, `${pyRepr(meta)} does not have enough properties`);
  if (count > 1) throw invalid(['meta'], meta, `${pyRepr(meta)} has too many properties`);
  return meta;
}

function setMetadataItem(ctx: RequestContext): Reply {
  const meta = parseMeta(ctx.body);
  const key = ctx.params[1]!;
  if (!Object.hasOwn(meta, key)) throw novaError(400, 'Request body and URI mismatch');
  const server = findServer(ctx.tenant, ctx.params[0]!);
  checkState(server, 'update metadata', METADATA_CHANGE);
  const merged = { ...server.metadata, [key]: meta[key]! };
  const allowed = ctx.tenant.quota.metadataItems;
  if (Object.keys(merged).length > allowed) throw novaError(403, `Maximum number of metadata items exceeds ${allowed}`);
  server.metadata = merged;
  ctx.tenant.touch(server, ctx.now);
  return jsonReply(200, { meta: { [key]: meta[key] } });
}

function deleteMetadataItem(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  const key = ctx.params[1]!;
  if (!Object.hasOwn(server.metadata, key)) throw notFound();
  checkState(server, 'delete metadata', METADATA_CHANGE);
  const { [key]: _removed, ...rest } = server.metadata;
  server.metadata = rest;
  ctx.tenant.touch(server, ctx.now);
  return emptyReply(204);
}

export const serverMetadataRoutes: Route[] = [
  { method: 'GET', template: '/servers/{id}/metadata', handler: listMetadata },
  { method: 'GET', template: '/servers/{id}/metadata/{id}', handler: showMetadataItem },
  { method: 'PUT', template: '/servers/{id}/metadata/{id}', handler: setMetadataItem },
  { method: 'DELETE', template: '/servers/{id}/metadata/{id}', handler: deleteMetadataItem },
];
