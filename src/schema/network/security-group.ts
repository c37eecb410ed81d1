// SecurityGroup: a Neutron security group (NHN's Security Groups API), a federation entity, with its
// queries and mutations. Its rules are in security-group-rule.ts, its ports (NHN's
// security-group-ports) in port.ts.

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { badUserInput } from '../errors.js';
import { LOADER_OPTIONS, loadSecurityGroups, securityGroupCatalogue } from '../loaders.js';
import { type SecurityGroup, toSecurityGroup } from './security-group-mapping.js';
import { neutronText, newSecurityGroupName, uuid } from '../validation.js';

export const SecurityGroupRef = builder.loadableObjectRef<SecurityGroup | null, string, string, SecurityGroup>('SecurityGroup', {
  load: (ids: string[], ctx: Context) => loadSecurityGroups(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

SecurityGroupRef.implement({
  description:
    'A security group: stateful firewall rules applied to the ports that carry it. A new group allows all outbound traffic and no inbound; the `default` group blocks all inbound traffic.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The security group UUID.' }),
    name: t.exposeString('name', { description: 'The group name; servers list their groups by name.' }),
    description: t.exposeString('description', { nullable: true, description: 'Free text, at most 255 characters; null when empty.' }),
    tenantId: t.exposeString('tenantId', { nullable: true, description: 'The project (tenant) that owns the group.' }),
  }),
});

loadableEntity(SecurityGroupRef, 'id', uuid);

queryById(
  'securityGroup',
  SecurityGroupRef,
  { field: "One security group by id (read from the request's one `GET /v2.0/security-groups`); null when the project has no such group.", id: 'The security group UUID.' },
  uuid,
);

builder.queryField('securityGroups', (t) =>
  t.field({
    type: [SecurityGroupRef],
    description: "The project's security groups with their rules (`GET /v2.0/security-groups`).",
    // The request's one group list, which remote groups and ports' groups then read too.
    resolve: async (_root, _args, ctx) => [...(await securityGroupCatalogue(ctx)).values()],
  }),
);

const CreateSecurityGroupInput = builder.inputType('CreateSecurityGroupInput', {
  description: 'A new security group; it starts with the IPv4 and IPv6 egress rules (all outbound allowed) and no inbound rule.',
  fields: (t) => ({
    name: t.string({ required: true, description: '1-255 characters, not `default`.', validate: newSecurityGroupName }),
    description: t.string({ description: 'Free text, at most 255 characters.', validate: neutronText }),
  }),
});

builder.mutationFields((t) => ({
  createSecurityGroup: t.field({
    type: SecurityGroupRef,
    description: 'Creates a security group (`POST /v2.0/security-groups`).',
    args: { input: t.arg({ type: CreateSecurityGroupInput, required: true, description: 'The group.' }) },
    resolve: async (_root, { input }, ctx) =>
      toSecurityGroup(await ctx.session().network.createSecurityGroup({ name: input.name, ...(input.description != null ? { description: input.description } : {}) })),
  }),
  updateSecurityGroup: t.field({
    type: SecurityGroupRef,
    description: 'Renames a security group or changes its description (`PUT /v2.0/security-groups/{id}`); the `default` group cannot be renamed (409 CONFLICT).',
    args: {
      id: t.arg.id({ required: true, description: 'The security group UUID.', validate: uuid }),
      name: t.arg.string({ description: 'The new name (1-255 characters, not `default`).', validate: newSecurityGroupName }),
      description: t.arg.string({ description: 'The new description (at most 255 characters).', validate: neutronText }),
    },
    resolve: async (_root, { id, name, description }, ctx) => {
      if (name == null && description == null) throw badUserInput('name', 'give name, description or both');
      const changes = { ...(name != null ? { name } : {}), ...(description != null ? { description } : {}) };
      return toSecurityGroup(await ctx.session().network.updateSecurityGroup(String(id), changes));
    },
  }),
  deleteSecurityGroup: t.id({
    description:
      'Deletes a security group (`DELETE /v2.0/security-groups/{id}`). 409 CONFLICT while a port uses it, and always for the `default` group. Returns the id of the deleted group.',
    args: { id: t.arg.id({ required: true, description: 'The security group UUID.', validate: uuid }) },
    resolve: async (_root, { id }, ctx) => {
      await ctx.session().network.deleteSecurityGroup(String(id));
      return String(id);
    },
  }),
}));
