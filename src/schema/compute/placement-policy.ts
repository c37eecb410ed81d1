// PlacementPolicy: NHN's placement policy, a Nova server group (`/os-server-groups`), a federation
// entity keyed by id; `placementPolicies`, `placementPolicy(id)`, create and delete. The `members` of
// every policy of a request are read in one batch.

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { badUserInput } from '../errors.js';
import DataLoader from 'dataloader';
import { createContextCache } from '@pothos/core';
import { LOADER_OPTIONS, loadPlacementPolicies } from '../loaders.js';
import { type Server, toServer } from './server-mapping.js';
import { resourceName, uuid } from '../validation.js';
import { NOVA_POLICY_NAMES, PLACEMENT_POLICY_RULES, type PlacementPolicy, toPlacementPolicy } from './placement-policy-mapping.js';
import { ServerRef } from './server.js';

export const PlacementPolicyRuleEnum = builder.enumType('PlacementPolicyRule', {
  description: "How a placement policy places its members (Nova's server group policy).",
  values: Object.fromEntries(Object.entries(PLACEMENT_POLICY_RULES).map(([name, description]) => [name, { description }])) as {
    [K in keyof typeof PLACEMENT_POLICY_RULES]: { description: string };
  },
});

export const PlacementPolicyRef = builder.loadableObjectRef<PlacementPolicy | null, string, string, PlacementPolicy>('PlacementPolicy', {
  load: (ids: string[], ctx: Context) => loadPlacementPolicies(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

PlacementPolicyRef.implement({
  description:
    "NHN's placement policy (a Nova server group: `/os-server-groups`): servers created under it are spread over different hosts. At most 10 per project, 10 members each.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The policy (server group) UUID.' }),
    name: t.exposeString('name', { description: 'Its name (1-255 characters).' }),
    rule: t.expose('rule', { type: PlacementPolicyRuleEnum, description: 'Its rule; ANTI_AFFINITY on NHN.' }),
    memberIds: t.exposeIDList('memberIds', { description: 'The ids of its servers that still exist (Nova `members`).' }),
    members: t.field({
      type: [ServerRef],
      description:
        'The member servers, loaded in one batch for all the policies of a request (one `GET /servers/detail` for many ids, else a `GET /servers/{id}` each); a server deleted meanwhile is left out.',
      resolve: (policy, _args, ctx) => policyMembers(ctx, policy.memberIds),
    }),
  }),
});

/**
 * From this many member ids on, one `GET /servers/detail` (a page of up to 1000 servers) is cheaper
 * than a `GET /servers/{id}` each: Nova's server list has no id filter, so the list is the only
 * way to read several servers in one call.
 */
const MEMBERS_LISTED_FROM = 4;
const SERVER_LIST_PAGE = 1000;

/**
 * The member servers of a batch, through the request's Server loader (so a server read elsewhere in
 * the request is not read again, and later reads see these). Members are live servers: when the
 * list was complete (no next page), an id it lacks was deleted meanwhile and needs no GET.
 */
async function loadMembers(ids: readonly string[], ctx: Context): Promise<(Server | null | Error)[]> {
  const servers = ServerRef.getDataloader(ctx);
  let gone = new Set<string>();
  if (ids.length >= MEMBERS_LISTED_FROM) {
    const wanted = new Set(ids);
    const page = await ctx.session().compute.listServers({ limit: SERVER_LIST_PAGE });
    for (const raw of page.servers) {
      if (wanted.has(raw.id)) servers.clear(raw.id).prime(raw.id, toServer(raw));
    }
    if (!page.hasNextPage) {
      const listed = new Set(page.servers.map((raw) => raw.id));
      gone = new Set(ids.filter((id) => !listed.has(id)));
    }
  }
  const loaded = await servers.loadMany(ids.filter((id) => !gone.has(id)));
  const byId = new Map(ids.filter((id) => !gone.has(id)).map((id, i) => [id, loaded[i]]));
  return ids.map((id) => (gone.has(id) ? null : (byId.get(id) ?? null)));
}

const memberLoaders = createContextCache(
  (ctx: Context) => new DataLoader<string, Server | null>((ids) => loadMembers(ids, ctx), LOADER_OPTIONS),
);

/** The policy's live member servers; a failed read fails the field rather than dropping the server. */
async function policyMembers(ctx: Context, ids: readonly string[]): Promise<Server[]> {
  const loaded = await memberLoaders(ctx).loadMany(ids);
  const failed = loaded.find((item) => item instanceof Error);
  if (failed) throw failed;
  return loaded.filter((item): item is Server => item !== null && !(item instanceof Error));
}

loadableEntity(PlacementPolicyRef, 'id', uuid);

queryById(
  'placementPolicy',
  PlacementPolicyRef,
  { field: 'One placement policy by id (`GET /os-server-groups/{id}`); null when it does not exist.', id: 'The policy UUID.' },
  uuid,
);

builder.queryField('placementPolicies', (t) =>
  t.field({
    type: [PlacementPolicyRef],
    description: "The project's placement policies (`GET /os-server-groups`; at most 10 per project on NHN).",
    resolve: async (_root, _args, ctx) => {
      const policies = (await ctx.session().compute.listServerGroups()).map(toPlacementPolicy);
      const loader = PlacementPolicyRef.getDataloader(ctx);
      for (const policy of policies) loader.prime(policy.id, policy);
      return policies;
    },
  }),
);

builder.mutationFields((t) => ({
  createPlacementPolicy: t.field({
    type: PlacementPolicyRef,
    description:
      'Creates a placement policy (`POST /os-server-groups`); the rule defaults to ANTI_AFFINITY, the only one NHN offers (others, and UNKNOWN, are refused). More than 10 policies: QUOTA_EXCEEDED.',
    args: {
      name: t.arg.string({ required: true, description: '1-255 printable characters, no leading or trailing whitespace.', validate: resourceName }),
      rule: t.arg({ type: PlacementPolicyRuleEnum, description: 'ANTI_AFFINITY (the default) is the only rule NHN offers.' }),
    },
    resolve: async (_root, { name, rule }, ctx) => {
      const chosen = rule ?? 'ANTI_AFFINITY';
      // Nova on /v2 also takes `affinity`, but NHN offers only anti-affinity, and the soft rules need
      // microversion 2.15, which /v2 cannot ask for.
      if (chosen !== 'ANTI_AFFINITY') {
        throw badUserInput('rule', `NHN offers only the ANTI_AFFINITY rule (anti-affinity: members on different hosts); ${chosen} is not available`);
      }
      const created = await ctx.session().compute.createServerGroup({ name, policies: [NOVA_POLICY_NAMES[chosen]] });
      const policy = toPlacementPolicy(created);
      PlacementPolicyRef.getDataloader(ctx).clear(policy.id).prime(policy.id, policy);
      return policy;
    },
  }),
  deletePlacementPolicy: t.id({
    description:
      'Deletes a placement policy (`DELETE /os-server-groups/{id}`), even one with members (the servers stay). Returns the id of the deleted policy.',
    args: { id: t.arg.id({ required: true, description: 'The policy UUID.', validate: uuid }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.session().compute.deleteServerGroup(String(id));
      PlacementPolicyRef.getDataloader(ctx).clear(String(id));
      return String(id);
    },
  }),
}));
