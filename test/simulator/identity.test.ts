// Keystone v2.0 tokens, the service catalog, and how every service treats a missing, wrong,
// expired, revoked or foreign token. Also Neutron's read-only networks and subnets.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, sample, startHarness } from './harness.js';
import { shapeDifferences } from './shape.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.sim.close());
beforeEach(() => h.sim.controls.reset());

const UNAUTHORIZED = sample('token-create-error-401-resp.json');

describe('POST /v2.0/tokens', () => {
  it("answers NHN's token body for the demo account", async () => {
    const answer = await h.issueToken();
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, sample('identity-token-resp.json'))).toEqual([]);
    const { token, user } = answer.body.access;
    expect(token.tenant.id).toBe(h.sim.tenantId);
    expect(user.name).toBe(h.sim.username);
    expect(token.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the sample timestamp forms and a lifetime of about 12 hours', async () => {
    const { token } = (await h.issueToken()).body.access;
    expect(token.expires).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(token.issued_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/);
    const hours = (Date.parse(token.expires) - Date.parse(`${token.issued_at}Z`)) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThan(12.1);
  });

  it('lists compute, image, volumev2, network and identity for KR1, all on the simulator origin', async () => {
    const catalog = (await h.issueToken()).body.access.serviceCatalog as { type: string; name: string; endpoints: { region: string; publicURL: string }[] }[];
    const byType = Object.fromEntries(catalog.map((entry) => [entry.type, entry]));
    expect(Object.keys(byType).sort()).toEqual(['compute', 'identity', 'image', 'network', 'volumev2']);
    for (const entry of catalog) {
      expect(entry.endpoints).toEqual([{ region: 'KR1', publicURL: expect.stringMatching(new RegExp(`^${h.sim.url}/`)) }]);
    }
    expect(byType.compute!.endpoints[0]!.publicURL).toBe(`${h.sim.url}/compute/v2/${h.sim.tenantId}`);
    expect(byType.compute!.endpoints[0]!.publicURL.endsWith(`/v2/${h.sim.tenantId}`)).toBe(true);
    expect(byType.volumev2!.endpoints[0]!.publicURL).toBe(`${h.sim.url}/volume/v2/${h.sim.tenantId}`);
    expect(byType.image!.endpoints[0]!.publicURL).toBe(`${h.sim.url}/image`);
    expect(byType.network!.endpoints[0]!.publicURL).toBe(`${h.sim.url}/network`);
    expect(byType.volumev2!.name).toBe('cinderv2');
  });

  it.each([
    ['a wrong password', { password: 'wrong' }],
    ['an unknown tenant', { tenantId: 'ffffffffffffffffffffffffffffffff' }],
    ['an unknown user', { username: 'someone@example.com' }],
  ])('refuses %s with the same generic 401', async (_case, credentials) => {
    const answer = await h.issueToken(credentials);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(UNAUTHORIZED);
    expect(answer.headers.get('www-authenticate')).toBe(`Keystone uri="${h.sim.url}/v2.0"`);
  });

  it("answers 400 in Keystone's format for a body without credentials or that is not JSON", async () => {
    const missing = await h.request('POST', `${h.sim.url}/v2.0/tokens`, { auth: { tenantId: h.sim.tenantId } }, undefined);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 400, title: 'Bad Request', message: expect.stringContaining('Expecting to find passwordCredentials in auth') });
    const garbage = await h.request('POST', `${h.sim.url}/v2.0/tokens`, '{"auth": ', undefined);
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe(400);
  });
});

describe('the token on every service', () => {
  const paths = () => [
    `${h.computeRoot}/servers`,
    `${h.sim.url}/image/v2/images`,
    `${h.sim.url}/volume/v2/${h.sim.tenantId}/volumes`,
    `${h.sim.url}/network/v2.0/networks`,
  ];

  it.each([
    ['no token', undefined],
    ['a forged token', 'forged-token'],
  ])("answers 401 in Keystone's body with WWW-Authenticate for %s", async (_case, token) => {
    for (const url of paths()) {
      const answer = await h.request('GET', url, undefined, token ?? '');
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(UNAUTHORIZED);
      expect(answer.headers.get('www-authenticate')).toContain('Keystone uri=');
    }
  });

  it('accepts the token on every service', async () => {
    for (const url of paths()) expect((await h.request('GET', url)).status).toBe(200);
  });

  it('refuses an expired token (lifetime set to 0)', async () => {
    h.sim.controls.setTokenLifetime(0);
    const token = (await h.issueToken()).body.access.token;
    expect(Date.parse(token.expires)).toBeLessThanOrEqual(Date.now());
    expect((await h.request('GET', `${h.computeRoot}/flavors`, undefined, token.id)).status).toBe(401);
  });

  it('refuses revoked tokens and accepts ones issued later', async () => {
    const before = (await h.issueToken()).body.access.token.id;
    h.sim.controls.revokeTokens();
    expect((await h.request('GET', `${h.computeRoot}/flavors`, undefined, before)).status).toBe(401);
    const after = (await h.issueToken()).body.access.token.id;
    expect((await h.request('GET', `${h.computeRoot}/flavors`, undefined, after)).status).toBe(200);
    await h.login();
  });

  it("refuses another tenant's path as Nova and Cinder do (400, URL project does not match)", async () => {
    const other = { tenantId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', username: 'other@example.com', apiPassword: 'other-password' };
    h.sim.controls.addAccount(other);
    const answer = await h.request('GET', `${h.sim.url}/compute/v2/${other.tenantId}/servers`);
    expect(answer.status).toBe(400);
    expect(answer.body.badRequest.message).toBe(
      `Malformed request URL: URL's project_id '${other.tenantId}' doesn't match Context's project_id '${h.sim.tenantId}'`,
    );
    expect((await h.request('GET', `${h.sim.url}/volume/v2/${other.tenantId}/volumes`)).status).toBe(400);
  });

  it('sends req-<uuid> request ids; compute also as x-compute-request-id', async () => {
    const id = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const compute = await h.compute('GET', '/flavors');
    expect(compute.headers.get('x-openstack-request-id')).toMatch(id);
    expect(compute.headers.get('x-compute-request-id')).toBe(compute.headers.get('x-openstack-request-id'));
    for (const answer of [await h.image('/v2/images'), await h.volume('/volumes'), await h.issueToken(), await h.compute('GET', '/nowhere')]) {
      expect(answer.headers.get('x-openstack-request-id')).toMatch(id);
    }
  });
});

describe('Neutron (read-only)', () => {
  it("lists the demo VPC's network and subnet, and the shared external network", async () => {
    const networks = (await h.network('/v2.0/networks')).body.networks;
    const vpc = networks.find((n: any) => !n['router:external']);
    expect(vpc).toMatchObject({ name: 'Default Network', status: 'ACTIVE', tenant_id: h.sim.tenantId, shared: false });
    expect(networks.some((n: any) => n['router:external'] === true)).toBe(true);
    const subnets = (await h.network('/v2.0/subnets')).body.subnets;
    expect(subnets).toEqual([expect.objectContaining({ network_id: vpc.id, cidr: '192.168.0.0/24', ip_version: 4, gateway_ip: '192.168.0.1' })]);
    expect(vpc.subnets).toEqual([subnets[0].id]);
  });

  it('filters by field, as Neutron does', async () => {
    const vpc = (await h.network('/v2.0/networks?name=Default%20Network')).body.networks;
    expect(vpc).toHaveLength(1);
    expect((await h.network(`/v2.0/subnets?network_id=${vpc[0].id}`)).body.subnets).toHaveLength(1);
    expect((await h.network('/v2.0/subnets?network_id=nothing')).body.subnets).toEqual([]);
  });

  it('lists the security groups default and web', async () => {
    const groups = (await h.network('/v2.0/security-groups')).body.security_groups.map((g: any) => g.name);
    expect(groups.sort()).toEqual(['default', 'web']);
  });
});
