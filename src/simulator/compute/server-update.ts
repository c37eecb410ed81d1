// PUT /servers/{id} (rename; no state check, answers 200 with the full server) and
// DELETE /servers/{id} (204; allowed in any state; detaches volumes, deletes those marked
// delete_on_termination, frees the quota).

import type { RequestContext } from '../context.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import { checkName, requireKey, requireObject } from '../validation.js';
import { findServer } from './lookup.js';
import { serverDetail } from './server-view.js';

export function updateServer(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  const root = requireObject([], ctx.body);
  const changes = requireObject(['server'], requireKey([], root, 'server'));
  // v2.0 also accepts OS-DCF:diskConfig and accessIPv4/6; NHN shows neither, so they are ignored.
  if (changes.name === undefined) return jsonReply(200, { server: serverDetail(server, ctx.roots, ctx.now) });
  const name = checkName(['server', 'name'], changes.name);
  if (server.buildRequest) {
    // The answer renders the build request as loaded, `updated` from before the rename (A.5).
    const before = serverDetail(server, ctx.roots, ctx.now);
    server.name = name;
    server.buildRequest.renamedAt = ctx.now;
    ctx.tenant.changed(server);
    return jsonReply(200, { server: { ...before, name } });
  }
  server.name = name;
  ctx.tenant.touch(server, ctx.now);
  return jsonReply(200, { server: serverDetail(server, ctx.roots, ctx.now) });
}

export function deleteServer(ctx: RequestContext): Reply {
  const server = findServer(ctx.tenant, ctx.params[0]!);
  for (const { volumeId } of server.volumes) {
    const volume = ctx.tenant.volumes.get(volumeId);
    if (!volume) continue;
    volume.attachment = null;
    volume.status = 'available';
    if (volume.deleteOnTermination) ctx.tenant.volumes.delete(volume.id);
  }
  server.volumes = [];
  ctx.tenant.removeServer(server, ctx.now);
  return emptyReply(204);
}
