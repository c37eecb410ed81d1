// A Keystone access body as the Token type reads it (the catalog keeps public URLs only).

import type { KeystoneAccess } from '../../upstream/types.js';
import { text, boolean, list, record } from '../readers.js';
import { optionalTimestamp } from '../datetime.js';

export interface Token {
  id: string;
  issuedAt: string | null;
  expires: string | null;
  tenant: { id: string; name: string | null; description: string | null; enabled: boolean };
  serviceCatalog: { type: string; name: string; endpoints: { region: string | null; publicUrl: string }[] }[];
}

export function toToken(access: KeystoneAccess): Token {
  const tenant = record(access.token.tenant);
  return {
    id: access.token.id,
    issuedAt: optionalTimestamp(access.token.issued_at),
    expires: optionalTimestamp(access.token.expires),
    tenant: {
      id: text(tenant.id) ?? '',
      name: text(tenant.name),
      description: text(tenant.description),
      enabled: boolean(tenant.enabled) ?? true,
    },
    serviceCatalog: list(access.serviceCatalog).map(record).map((entry) => ({
      type: text(entry.type) ?? '',
      name: text(entry.name) ?? '',
      endpoints: list(entry.endpoints)
        .map(record)
        .filter((e) => typeof e.publicURL === 'string')
        .map((e) => ({ region: text(e.region), publicUrl: e.publicURL as string })),
    })),
  };
}
