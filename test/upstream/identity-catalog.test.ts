// Catalog parsing with NHN's documented token response (test/fixtures/api-samples, a copy of NHN's sample).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog, rootFromPublicUrl } from '../../src/upstream/identity.js';
import type { KeystoneAccess } from '../../src/upstream/types.js';

const { access } = JSON.parse(readFileSync(new URL('../fixtures/api-samples/identity-token-resp.json', import.meta.url), 'utf8')) as {
  access: KeystoneAccess;
};

describe('parseCatalog', () => {
  it('takes the roots of the region, stripping /v2/{tenantId} from compute and block storage', () => {
    expect(parseCatalog(access.serviceCatalog, 'KR1')).toEqual({
      compute: 'https://kr1-api-instance-infrastructure.nhncloudservice.com',
      image: 'https://kr1-api-image-infrastructure.nhncloudservice.com',
      volume: 'https://kr1-api-block-storage-infrastructure.nhncloudservice.com',
      network: 'https://kr1-api-network-infrastructure.nhncloudservice.com',
    });
  });

  it('matches the region case-insensitively and leaves out services the region lacks', () => {
    const roots = parseCatalog(access.serviceCatalog, 'kr2');
    expect(roots.compute).toBe('https://kr2-api-instance-infrastructure.nhncloudservice.com');
    expect(parseCatalog(access.serviceCatalog, 'JP1')).toEqual({});
    expect(parseCatalog(undefined, 'KR1')).toEqual({});
  });
});

describe('rootFromPublicUrl', () => {
  it('strips a version and tenant, a bare version, and trailing slashes, and keeps a path prefix', () => {
    expect(rootFromPublicUrl('http://127.0.0.1:5000/compute/v2/abc123')).toBe('http://127.0.0.1:5000/compute');
    expect(rootFromPublicUrl('https://image.example.com/v2/')).toBe('https://image.example.com');
    expect(rootFromPublicUrl('https://net.example.com/v2.0')).toBe('https://net.example.com');
    expect(rootFromPublicUrl('https://image.example.com')).toBe('https://image.example.com');
  });
});
