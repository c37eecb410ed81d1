// A Nova keypair as the Keypair type reads it (the private key is never part of it).

import type { NovaKeypair } from '../../upstream/types.js';
import { text } from '../readers.js';
import { optionalTimestamp } from '../datetime.js';

export interface Keypair {
  name: string;
  publicKey: string;
  fingerprint: string;
  userId: string | null;
  createdAt: string | null;
}

export function toKeypair(raw: NovaKeypair): Keypair {
  return {
    name: raw.name,
    publicKey: typeof raw.public_key === 'string' ? raw.public_key : '',
    fingerprint: typeof raw.fingerprint === 'string' ? raw.fingerprint : '',
    userId: text(raw.user_id),
    createdAt: optionalTimestamp(raw.created_at),
  };
}
