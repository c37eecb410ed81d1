// Token: Keystone v2.0 token issuance, for clients that call the gateway (or NHN) in pass-through
// mode. The password goes to Keystone and nowhere else; the token is in the answer on purpose.

import { builder } from '../builder.js';
import { missingFromUpstream } from '../errors.js';
import { type Token, toToken } from './token-mapping.js';
import { notBlank } from '../validation.js';

const TenantRef = builder.objectRef<Token['tenant']>('Tenant').implement({
  description: 'The project (tenant) a token is scoped to.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The tenant (project) id; send it as X-Tenant-Id.' }),
    name: t.exposeString('name', { nullable: true, description: 'The tenant name.' }),
    description: t.exposeString('description', { nullable: true, description: 'The tenant description.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether the tenant is enabled.' }),
  }),
});

type CatalogEntry = Token['serviceCatalog'][number];

const CatalogEndpointRef = builder.objectRef<CatalogEntry['endpoints'][number]>('CatalogEndpoint').implement({
  description: 'Where a service answers in one region.',
  fields: (t) => ({
    region: t.exposeString('region', { nullable: true, description: 'The region, upper case (`KR1`).' }),
    publicUrl: t.exposeString('publicUrl', { description: 'The public URL of the service (`publicURL`).' }),
  }),
});

const CatalogEntryRef = builder.objectRef<CatalogEntry>('CatalogEntry').implement({
  description: 'One service of the token catalog.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'The service type: `compute`, `image`, `volumev2`, `network`, ...' }),
    name: t.exposeString('name', { description: 'The service name: `nova`, `glance`, `cinderv2`, ...' }),
    endpoints: t.field({ type: [CatalogEndpointRef], description: 'Its endpoints by region.', resolve: (e) => e.endpoints }),
  }),
});

const TokenRef = builder.objectRef<Token>('Token').implement({
  description: 'A Keystone token: send `id` as X-Auth-Token (with X-Tenant-Id) to act as that user.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The token; a secret, valid until `expires`.' }),
    issuedAt: t.expose('issuedAt', { type: 'DateTime', nullable: true, description: 'When it was issued.' }),
    expires: t.field({
      type: 'DateTime',
      description: 'When it stops working (about 12 hours on NHN).',
      resolve: (token) => {
        if (token.expires === null) throw missingFromUpstream('identity', 'the token expiry');
        return token.expires;
      },
    }),
    tenant: t.field({ type: TenantRef, description: 'The project it is scoped to.', resolve: (token) => token.tenant }),
    serviceCatalog: t.field({
      type: [CatalogEntryRef],
      description: 'The services and endpoints the token can use.',
      resolve: (token) => token.serviceCatalog,
    }),
  }),
});

const IssueTokenInputRef = builder.inputType('IssueTokenInput', {
  description: 'Credentials for a token; the password is never stored or logged.',
  fields: (t) => ({
    tenantId: t.string({ required: true, description: 'The tenant (project) id.', validate: notBlank }),
    username: t.string({ required: true, description: 'The NHN account email or IAM member id.', validate: notBlank }),
    password: t.string({ required: true, description: 'The API password, not the console password.', validate: notBlank }),
  }),
});

builder.mutationField('issueToken', (t) =>
  t.field({
    type: TokenRef,
    description: 'Issues a Keystone token (`POST /v2.0/tokens`); UNAUTHENTICATED when the credentials are wrong.',
    args: { input: t.arg({ type: IssueTokenInputRef, required: true, description: 'The credentials.' }) },
    resolve: async (_root, { input }, ctx) => toToken(await ctx.issueToken(input)),
  }),
);
