// Real OpenSSH keys with node:crypto: Nova generates an RSA pair when a keypair is created without
// public_key, and parses an imported key to compute its fingerprint. NHN shows OpenSSH's SHA256
// fingerprint form ("SHA256:<base64>", see nhn/compute-keypair-*.json).

import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An SSH mpint: big-endian, no extra leading zeros, a zero byte added when the top bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  return sshString(trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function fromBase64Url(value: string | undefined): Buffer {
  return Buffer.from(value ?? '', 'base64url');
}

/** The OpenSSH wire form ("blob") of a public key. */
function publicKeyBlob(key: KeyObject): { type: string; blob: Buffer } {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA') {
    return { type: 'ssh-rsa', blob: Buffer.concat([sshString('ssh-rsa'), sshMpint(fromBase64Url(jwk.e)), sshMpint(fromBase64Url(jwk.n))]) };
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return { type: 'ssh-ed25519', blob: Buffer.concat([sshString('ssh-ed25519'), sshString(fromBase64Url(jwk.x))]) };
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    const point = Buffer.concat([Buffer.from([4]), fromBase64Url(jwk.x), fromBase64Url(jwk.y)]);
    const type = 'ecdsa-sha2-nistp256';
    return { type, blob: Buffer.concat([sshString(type), sshString('nistp256'), sshString(point)]) };
  }
  throw new Error(`unsupported key type ${jwk.kty}`);
}

export function fingerprintOf(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export interface PublicKeyInfo {
  publicKey: string;
  fingerprint: string;
}

function describe(key: KeyObject, comment: string): PublicKeyInfo {
  const { type, blob } = publicKeyBlob(key);
  return { publicKey: `${type} ${blob.toString('base64')} ${comment}`, fingerprint: fingerprintOf(blob) };
}

/** What Nova's key generation answers: an RSA pair, PKCS#1 private key, "Generated-by-Nova" comment. */
export async function generateRsaKeypair(): Promise<PublicKeyInfo & { privateKey: string }> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const info = describe(publicKey, 'Generated-by-Nova');
  return {
    publicKey: info.publicKey + '\n',
    fingerprint: info.fingerprint,
    privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A deterministic Ed25519 key (for seed data, where RSA generation would be slow and random). */
export function ed25519PublicKeyFromSeed(seed: Buffer, comment: string): PublicKeyInfo {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
  return describe(createPublicKey(privateKey), comment);
}

class BlobReader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}

  next(): Buffer {
    if (this.offset + 4 > this.data.length) throw new Error('truncated key');
    const length = this.data.readUInt32BE(this.offset);
    const end = this.offset + 4 + length;
    if (end > this.data.length) throw new Error('truncated key');
    const value = this.data.subarray(this.offset + 4, end);
    this.offset = end;
    return value;
  }

  get done(): boolean {
    return this.offset === this.data.length;
  }
}

function unsignedInteger(mpint: Buffer): string {
  let start = 0;
  while (start < mpint.length - 1 && mpint[start] === 0) start++;
  return mpint.subarray(start).toString('base64url');
}

/** The key a blob describes, rebuilt with node:crypto so that a malformed key is refused. */
function keyFromBlob(type: string, reader: BlobReader): JsonWebKey {
  if (type === 'ssh-rsa') {
    const e = reader.next();
    const n = reader.next();
    return { kty: 'RSA', e: unsignedInteger(e), n: unsignedInteger(n) };
  }
  if (type === 'ssh-ed25519') {
    const x = reader.next();
    if (x.length !== 32) throw new Error('bad ed25519 key');
    return { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') };
  }
  if (type === 'ecdsa-sha2-nistp256') {
    if (reader.next().toString() !== 'nistp256') throw new Error('bad curve');
    const point = reader.next();
    if (point.length !== 65 || point[0] !== 4) throw new Error('bad point');
    return { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') };
  }
  throw new Error(`unsupported key type ${type}`);
}

/** Checks an imported OpenSSH public key; returns its fingerprint, or undefined when it is not a key. */
export function importedKeyFingerprint(text: string): string | undefined {
  const [type, encoded] = text.trim().split(/\s+/);
  if (!type || !encoded || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  try {
    const blob = Buffer.from(encoded, 'base64');
    const reader = new BlobReader(blob);
    if (reader.next().toString() !== type) return undefined;
    createPublicKey({ key: keyFromBlob(type, reader), format: 'jwk' });
    if (!reader.done) return undefined;
    return fingerprintOf(blob);
  } catch {
    return undefined;
  }
}
