// /os-server-groups: NHN's placement policies (Nova server groups). Create answers 200 (Nova has no
// 201 here), `policies` is a one-element list, `metadata` always {}, `members` the ids of the
// group's servers that still exist. At most 10 groups per project (Nova's server_groups quota);
// deleting a group with members is allowed and leaves the servers alone (NHN console guide).

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import type { ServerGroup, Tenant } from '../state.js';
import { checkEnum, checkName, checkType, invalid, pyRepr, requireKey, requireObject } from '../validation.js';
import { liveMembers } from './placement.js';
import { MAX_LIMIT } from './paging.js';
import { nonNegative } from './volume-attachments.js';

function groupView(tenant: Tenant, group: ServerGroup) {
  return { id: group.id, name: group.name, policies: [group.policy], members: liveMembers(tenant, group), metadata: {} };
}

export function findGroup(tenant: Tenant, id: string): ServerGroup {
  const group = tenant.serverGroups.get(id);
  if (!group) throw novaError(404, `Instance group ${id} could not be found.`);
  return group;
}

/**
 * parameter_types.name (not the v2.0 variant that strips spaces): 1-255 printable characters, no
 * leading or trailing whitespace (validators.py `_validate_name`).
 */
function checkStrictName(path: string[], value: unknown): string {
  const name = checkName(path, value);
  if (name !== value) {
    throw novaError(400, "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.");
  }
  return name;
}

/** Nova's schemas/server_groups.py `create` (2.0-2.63): a name and exactly one policy. */
function parseCreate(body: unknown): { name: string; policy: ServerGroup['policy'] } {
  const root = requireObject([], body);
  const group = requireObject(['server_group'], requireKey([], root, 'server_group'));
  const name = group.name === undefined ? undefined : checkStrictName(['server_group', 'name'], group.name);
  let policy: ServerGroup['policy'] | undefined;
  if (group.policies !== undefined) {
    const path = ['server_group', 'policies'];
    checkType(path, group.policies, ['array']);
    const policies = group.policies as unknown[];
    if (policies.length === 0) throw invalid(path, policies, '[] is too short');
    if (policies.length > 1) throw invalid(path, policies, `${pyRepr(policies)} is too long`);
    checkEnum([...path, 0], policies[0], ['anti-affinity', 'affinity']);
    policy = policies[0] as ServerGroup['policy'];
  }
  requireKey(['server_group'], group, 'name');
  requireKey(['server_group'], group, 'policies');
  return { name: name!, policy: policy! };
}

function createGroup(ctx: RequestContext): Reply {
  const { name, policy } = parseCreate(ctx.body);
  const { tenant } = ctx;
  if (tenant.serverGroups.size >= tenant.quota.serverGroups) throw novaError(403, 'Quota exceeded, too many server groups.');
  const group: ServerGroup = { id: ctx.world.ids.uuid(), name, policy, memberIds: [], createdAt: ctx.now };
  tenant.serverGroups.set(group.id, group);
  return jsonReply(200, { server_group: groupView(tenant, group) });
}

/** common.limited: `offset` and `limit` (0 or none is max_limit). */
function listGroups(ctx: RequestContext): Reply {
  const limit = nonNegative(ctx.query, 'limit');
  const offset = nonNegative(ctx.query, 'offset') ?? 0;
  const size = Math.min(limit || MAX_LIMIT, MAX_LIMIT);
  const groups = [...ctx.tenant.serverGroups.values()].slice(offset, offset + size);
  return jsonReply(200, { server_groups: groups.map((group) => groupView(ctx.tenant, group)) });
}

function showGroup(ctx: RequestContext): Reply {
  return jsonReply(200, { server_group: groupView(ctx.tenant, findGroup(ctx.tenant, ctx.params[0]!)) });
}

function deleteGroup(ctx: RequestContext): Reply {
  const group = findGroup(ctx.tenant, ctx.params[0]!);
  ctx.tenant.serverGroups.delete(group.id);
  return emptyReply(204);
}

export const serverGroupRoutes: Route[] = [
  { method: 'GET', template: '/os-server-groups', handler: listGroups },
  { method: 'POST', template: '/os-server-groups', handler: createGroup },
  { method: 'GET', template: '/os-server-groups/{id}', handler: showGroup },
  { method: 'DELETE', template: '/os-server-groups/{id}', handler: deleteGroup },
];
