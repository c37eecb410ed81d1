// /os-keypairs: list, show, create (generate or import) and delete, with v2.0's status codes
// (create 200, delete 202) and NHN's SHA256 fingerprints.

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import type { Keypair, Tenant } from '../state.js';
import { isoMicros } from '../time.js';
import { checkName, checkType, requireKey, requireObject } from '../validation.js';
import { generateRsaKeypair, importedKeyFingerprint } from './ssh-keys.js';

function findKeypair(tenant: Tenant, name: string): Keypair {
  const keypair = tenant.keypairs.get(name);
  if (!keypair) throw novaError(404, `Keypair ${name} not found for user ${tenant.account.userId}`);
  return keypair;
}

function listKeypairs(ctx: RequestContext): Reply {
  const keypairs = [...ctx.tenant.keypairs.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return jsonReply(200, {
    keypairs: keypairs.map((k) => ({ keypair: { public_key: k.publicKey, name: k.name, fingerprint: k.fingerprint } })),
  });
}

function showKeypair(ctx: RequestContext): Reply {
  const k = findKeypair(ctx.tenant, ctx.params[0]!);
  return jsonReply(200, {
    keypair: {
      public_key: k.publicKey,
      user_id: k.userId,
      name: k.name,
      deleted: false,
      created_at: isoMicros(k.createdAt),
      updated_at: null,
      fingerprint: k.fingerprint,
      deleted_at: null,
      id: k.id,
    },
  });
}

function invalidKeypair(reason: string) {
  return novaError(400, `Keypair data is invalid: ${reason}`);
}

/** The request body: the v2.0 schema, then the name rules Nova applied before 26.0.0 (Zed). */
function keypairRequest(body: unknown): { name: string; publicKey: string | undefined } {
  const root = requireObject([], body);
  const keypair = requireObject(['keypair'], requireKey([], root, 'keypair'));
  const name = checkName(['keypair', 'name'], requireKey(['keypair'], keypair, 'name'));
  if (!/^[_\- a-zA-Z0-9]+$/.test(name)) throw invalidKeypair('Keypair name contains unsafe characters');
  const publicKey = keypair.public_key;
  if (publicKey !== undefined) checkType(['keypair', 'public_key'], publicKey, ['string']);
  return { name, publicKey: publicKey as string | undefined };
}

async function createKeypair(ctx: RequestContext): Promise<Reply> {
  const { name, publicKey } = keypairRequest(ctx.body);
  const tenant = ctx.tenant;
  if (tenant.keypairs.size >= tenant.quota.keyPairs) throw novaError(403, 'Quota exceeded, too many key pairs.');
  let made: { publicKey: string; fingerprint: string; privateKey?: string };
  if (publicKey === undefined) {
    made = await generateRsaKeypair();
  } else {
    const fingerprint = importedKeyFingerprint(publicKey);
    if (fingerprint === undefined) throw invalidKeypair('failed to generate fingerprint');
    made = { publicKey, fingerprint };
  }
  // Checked last, as Nova learns of a duplicate only when it stores the key (KeyPairExists).
  if (tenant.keypairs.has(name)) throw novaError(409, `Key pair '${name}' already exists.`);
  const keypair: Keypair = {
    id: tenant.nextKeypairRowId++,
    name,
    publicKey: made.publicKey,
    fingerprint: made.fingerprint,
    userId: tenant.account.userId,
    createdAt: ctx.now,
  };
  tenant.keypairs.set(name, keypair);
  const answer: Record<string, string> = { fingerprint: keypair.fingerprint, name, public_key: keypair.publicKey, user_id: keypair.userId };
  if (made.privateKey !== undefined) answer.private_key = made.privateKey;
  return jsonReply(200, { keypair: answer });
}

function deleteKeypair(ctx: RequestContext): Reply {
  const keypair = findKeypair(ctx.tenant, ctx.params[0]!);
  ctx.tenant.keypairs.delete(keypair.name);
  return emptyReply(202);
}

export const keypairRoutes: Route[] = [
  { method: 'GET', template: '/os-keypairs', handler: listKeypairs },
  { method: 'POST', template: '/os-keypairs', handler: createKeypair },
  { method: 'GET', template: '/os-keypairs/{id}', handler: showKeypair },
  { method: 'DELETE', template: '/os-keypairs/{id}', handler: deleteKeypair },
];
