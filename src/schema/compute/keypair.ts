// Keypair: SSH keys of the calling user (Nova `os-keypairs`), a federation entity keyed by name.
// NHN keypairs belong to the user account, not the project.

import { builder, type Context } from '../builder.js';
import { loadableEntity } from '../entity.js';
import { LOADER_OPTIONS, loadKeypairs } from '../loaders.js';
import { type Keypair, toKeypair } from './keypair-mapping.js';
import { keypairName } from '../validation.js';

export const KeypairRef = builder.loadableObjectRef<Keypair | null, string, string, Keypair>('Keypair', {
  load: (names: string[], ctx: Context) => loadKeypairs(names, ctx),
  loaderOptions: LOADER_OPTIONS,
});

KeypairRef.implement({
  description: 'An SSH keypair; its public key is injected into new Linux servers (and decrypts Windows passwords).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The keypair name, unique per user.' }),
    publicKey: t.exposeString('publicKey', { description: 'The OpenSSH public key.' }),
    fingerprint: t.exposeString('fingerprint', { description: 'The key fingerprint as Nova computes it.' }),
    userId: t.exposeString('userId', {
      nullable: true,
      description: 'The owning user id; Nova sends it only for a single keypair, not in the list.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was created; Nova sends it only for a single keypair.',
    }),
  }),
});

loadableEntity(KeypairRef, 'name', keypairName);

builder.queryFields((t) => ({
  keypairs: t.field({
    type: [KeypairRef],
    description: "The calling user's keypairs (`GET /os-keypairs`, cached for a short time).",
    resolve: async (_root, _args, ctx) => (await ctx.session().compute.listKeypairs()).map(toKeypair),
  }),
  keypair: t.field({
    type: KeypairRef,
    nullable: true,
    description:
      'One keypair by name (`GET /os-keypairs/{name}`, which unlike the list also has `userId` and `createdAt`); null when it does not exist.',
    args: { name: t.arg.string({ required: true, description: 'The keypair name.', validate: keypairName }) },
    resolve: async (_root, { name }, ctx) => {
      const raw = await ctx.session().compute.getKeypair(name);
      return raw && toKeypair(raw);
    },
  }),
}));

const CreateKeypairInput = builder.inputType('CreateKeypairInput', {
  description: 'A keypair to import (with `publicKey`) or to generate (without).',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: '1-255 letters, digits, spaces, `_` and `-`; unique per user.',
      validate: keypairName,
    }),
    publicKey: t.string({ description: 'Omit to have a new pair generated.' }),
  }),
});

const CreateKeypairPayload = builder.simpleObject('CreateKeypairPayload', {
  description: 'The created keypair.',
  fields: (t) => ({
    keypair: t.field({ type: KeypairRef, description: 'The keypair as stored.' }),
    privateKey: t.string({
      nullable: true,
      description: 'Only when the pair was generated; shown once, never stored.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createKeypair: t.field({
    type: CreateKeypairPayload,
    description: 'Imports or generates a keypair (`POST /os-keypairs`). 409 CONFLICT when the name exists.',
    args: { input: t.arg({ type: CreateKeypairInput, required: true, description: 'The keypair.' }) },
    resolve: async (_root, { input }, ctx) => {
      const created = await ctx.session().compute.createKeypair({
        name: input.name,
        ...(input.publicKey ? { public_key: input.publicKey } : {}),
      });
      const generated = !input.publicKey && typeof created.private_key === 'string';
      return { keypair: toKeypair(created), privateKey: generated ? (created.private_key as string) : null };
    },
  }),
  deleteKeypair: t.string({
    description: 'Deletes a keypair (`DELETE /os-keypairs/{name}`). Returns the name of the deleted keypair.',
    args: { name: t.arg.string({ required: true, description: 'The keypair name.', validate: keypairName }) },
    resolve: async (_root, { name }, ctx) => {
      await ctx.session().compute.deleteKeypair(name);
      return name;
    },
  }),
}));
