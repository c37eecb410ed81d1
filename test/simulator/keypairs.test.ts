// Keypair create (generate and import), delete and their rules.

import { createPrivateKey, createPublicKey, createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness } from './harness.js';
import { shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGp9yDo6HtE1AyeLOdyeOsP/Se7GqbQPvLjHNXhhk3VU laptop';

function sha256Fingerprint(publicKey: string): string {
  const blob = Buffer.from(publicKey.split(' ')[1]!, 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

describe('POST /os-keypairs', () => {
  it("generates a real RSA pair: 200 in Nova's shape, the private key matches the public one", async () => {
    const answer = await h.compute('POST', '/os-keypairs', { keypair: { name: 'generated' } });
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, sample('compute-keypair-generate-resp.json'))).toEqual([]);
    const { public_key, private_key, fingerprint } = answer.body.keypair;
    expect(private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(public_key).toMatch(/^ssh-rsa AAAA[A-Za-z0-9+/=]+ Generated-by-Nova\n$/);
    expect(fingerprint).toBe(sha256Fingerprint(public_key));
    // The OpenSSH blob (string type, mpint e, mpint n) holds the private key's modulus.
    const jwk = createPublicKey(createPrivateKey(private_key)).export({ format: 'jwk' });
    const blob = Buffer.from(public_key.split(' ')[1], 'base64');
    const fields: Buffer[] = [];
    for (let at = 0; at < blob.length; at += 4 + blob.readUInt32BE(at)) fields.push(blob.subarray(at + 4, at + 4 + blob.readUInt32BE(at)));
    expect(fields[0]!.toString()).toBe('ssh-rsa');
    expect(fields[2]!.subarray(fields[2]![0] === 0 ? 1 : 0)).toEqual(Buffer.from(jwk.n!, 'base64url'));
    const listed = (await h.compute('GET', '/os-keypairs/generated')).body.keypair;
    expect(listed).toMatchObject({ name: 'generated', public_key, fingerprint });
    expect('private_key' in listed).toBe(false);
  });

  it("imports a public key: 200 in NHN's shape with its real fingerprint", async () => {
    const answer = await h.compute('POST', '/os-keypairs', { keypair: { name: 'laptop', public_key: ED25519 } });
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, sample('compute-keypair-create-resp.json'))).toEqual([]);
    expect(answer.body.keypair).toMatchObject({ name: 'laptop', public_key: ED25519, fingerprint: sha256Fingerprint(ED25519) });
  });

  it('imports RSA keys too', async () => {
    const generated = (await h.compute('POST', '/os-keypairs', { keypair: { name: 'one' } })).body.keypair.public_key;
    const imported = await h.compute('POST', '/os-keypairs', { keypair: { name: 'two', public_key: generated } });
    expect(imported.body.keypair.fingerprint).toBe(sha256Fingerprint(generated));
  });

  it('refuses a public key that is not one', async () => {
    for (const public_key of ['ssh-rsa not-base64!', 'ssh-rsa AAAAB3NzaC1yc2E=', 'hello', ED25519.replace('ssh-ed25519 ', 'ssh-rsa ')]) {
      const answer = await h.compute('POST', '/os-keypairs', { keypair: { name: 'bad', public_key } });
      expect(answer.body).toEqual({ badRequest: { code: 400, message: 'Keypair data is invalid: failed to generate fingerprint' } });
    }
  });

  it('refuses a duplicate name with 409', async () => {
    const answer = await h.compute('POST', '/os-keypairs', { keypair: { name: 'demo-key', public_key: ED25519 } });
    expect(answer.body).toEqual({ conflictingRequest: { code: 409, message: "Key pair 'demo-key' already exists." } });
  });

  it('allows only letters, digits, spaces, _ and - in names (Nova before 26.0.0)', async () => {
    for (const name of ['dots.not.ok', 'at@sign', 'ümlaut']) {
      const answer = await h.compute('POST', '/os-keypairs', { keypair: { name, public_key: ED25519 } });
      expect(answer.body).toEqual({ badRequest: { code: 400, message: 'Keypair data is invalid: Keypair name contains unsafe characters' } });
    }
    expect((await h.compute('POST', '/os-keypairs', { keypair: { name: 'ok name_1-2', public_key: ED25519 } })).status).toBe(200);
    expect((await h.compute('POST', '/os-keypairs', { keypair: { name: 'k'.repeat(256), public_key: ED25519 } })).body.badRequest.message).toMatch(/is too long$/);
    expect((await h.compute('POST', '/os-keypairs', { keypair: {} })).body.badRequest.message).toBe("Invalid input for field/attribute keypair. Value: {}. 'name' is a required property");
    expect((await h.compute('POST', '/os-keypairs', { keypair: { name: 'x', public_key: 5 } })).status).toBe(400);
  });

  it('refuses keypair 101 with 403 (quota 100)', async () => {
    for (let i = 0; i < 98; i++) {
      expect((await h.compute('POST', '/os-keypairs', { keypair: { name: `k${i}`, public_key: ED25519 } })).status).toBe(200);
    }
    const answer = await h.compute('POST', '/os-keypairs', { keypair: { name: 'one-too-many', public_key: ED25519 } });
    expect(answer.body).toEqual({ forbidden: { code: 403, message: 'Quota exceeded, too many key pairs.' } });
  });
});

describe('DELETE /os-keypairs/{name}', () => {
  it('answers 202 without a body, then 404', async () => {
    const answer = await h.compute('DELETE', '/os-keypairs/ops-key');
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    expect((await h.compute('GET', '/os-keypairs/ops-key')).status).toBe(404);
    expect((await h.compute('DELETE', '/os-keypairs/ops-key')).status).toBe(404);
  });
});
