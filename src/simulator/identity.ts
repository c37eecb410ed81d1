// Keystone v2.0 as NHN serves it: POST /v2.0/tokens with {auth: {tenantId, passwordCredentials}}
// answers NHN's token body (nhn/identity-token-resp.json); tokens are project-scoped and expire.

import { randomBytes } from 'node:crypto';
import type { PublicContext, Route } from './context.js';
import { KEYSTONE_UNAUTHORIZED_MESSAGE, keystoneFault } from './errors.js';
import { ReplyError, jsonReply, type Reply } from './reply.js';
import type { Account, World } from './state.js';
import { isoMicros, isoSeconds } from './time.js';

/** NHN's example token lives about 12 hours (03:32:28 -> 15:31:21). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 12 * 3600;

export interface TokenRecord {
  id: string;
  tenantId: string;
  issuedAt: number;
  expiresAt: number;
}

export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  lifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS;

  issue(tenantId: string, now: number): TokenRecord {
    // Token ids come from the system RNG, not the seed: a token is a secret, even a simulated one.
    const record = { id: randomBytes(16).toString('hex'), tenantId, issuedAt: now, expiresAt: now + this.lifetimeSeconds * 1000 };
    this.tokens.set(record.id, record);
    return record;
  }

  /** The token's record while it is valid; undefined when unknown, revoked or expired. */
  check(id: string | undefined, now: number): TokenRecord | undefined {
    if (id === undefined) return undefined;
    const record = this.tokens.get(id);
    return record && record.expiresAt > now ? record : undefined;
  }

  revokeAll(): void {
    this.tokens.clear();
  }

  /** Revokes one token (as a user signing out, or an operator removing a user, would). */
  revoke(id: string): void {
    this.tokens.delete(id);
  }
}

function badRequest(message: string): ReplyError {
  return new ReplyError(keystoneFault(400, message));
}

/** Keystone's ValidationError text for a missing attribute. */
function missing(attribute: string, target: string): ReplyError {
  return badRequest(
    `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  );
}

function objectAt(value: unknown, key: string, target: string): Record<string, unknown> {
  const inner = (value as Record<string, unknown> | null | undefined)?.[key];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw missing(key, target);
  return inner as Record<string, unknown>;
}

function findAccount(world: World, auth: Record<string, unknown>): Account | undefined {
  const tenants = [...world.tenants.values()];
  if (typeof auth.tenantId === 'string') return world.tenants.get(auth.tenantId)?.account;
  if (typeof auth.tenantName === 'string') return tenants.find((t) => t.account.tenantName === auth.tenantName)?.account;
  return undefined;
}

function catalogEntry(type: string, name: string, publicURL: string) {
  return { endpoints: [{ region: 'KR1', publicURL }], type, name };
}

function tokenBody(world: World, account: Account, token: TokenRecord) {
  const origin = world.origin;
  return {
    access: {
      token: {
        id: token.id,
        expires: isoSeconds(token.expiresAt),
        tenant: {
          id: account.tenantId,
          name: account.tenantName,
          groupId: account.groupId,
          description: '',
          enabled: true,
          project_domain: 'NORMAL',
        },
        issued_at: isoMicros(token.issuedAt),
      },
      serviceCatalog: [
        catalogEntry('compute', 'nova', `${origin}/compute/v2/${account.tenantId}`),
        catalogEntry('image', 'glance', `${origin}/image`),
        catalogEntry('identity', 'keystone', `${origin}/v2.0`),
        catalogEntry('volumev2', 'cinderv2', `${origin}/volume/v2/${account.tenantId}`),
        catalogEntry('network', 'neutron', `${origin}/network`),
      ],
      user: {
        id: account.userId,
        username: account.username,
        name: account.username,
        roles: [{ name: 'project_admin' }],
        roles_links: [],
      },
      metadata: { roles: ['9fe2ff9ee4384b1894a90878d3e92bab'], is_admin: 0 },
    },
  };
}

function issueToken(ctx: PublicContext): Reply {
  const auth = objectAt(ctx.body, 'auth', 'request body');
  const credentials = objectAt(auth, 'passwordCredentials', 'auth');
  if (typeof credentials.username !== 'string') throw missing('username', 'passwordCredentials');
  if (typeof credentials.password !== 'string') throw missing('password', 'passwordCredentials');
  const account = findAccount(ctx.world, auth);
  // Keystone answers every security failure with the same text, so a caller cannot tell a wrong
  // password from an unknown tenant or user.
  if (!account || account.username !== credentials.username || account.apiPassword !== credentials.password) {
    throw new ReplyError(keystoneFault(401, KEYSTONE_UNAUTHORIZED_MESSAGE, `${ctx.world.origin}/v2.0`));
  }
  const token = ctx.tokens.issue(account.tenantId, ctx.now);
  return jsonReply(200, tokenBody(ctx.world, account, token));
}

export const identityRoutes: Route<PublicContext>[] = [{ method: 'POST', template: '/v2.0/tokens', handler: issueToken }];
