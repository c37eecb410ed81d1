// Endpoints come from the catalog of the configured region (roots, the tenant put back by the
// gateway) unless configured; a configured endpoint wins over the catalog.

import { describe, expect, it } from 'vitest';
import { count, serviceConfig, serviceSession, upstreamError, useSimulator } from './support.js';

const fx = useSimulator();

describe('endpoints', () => {
  it('reaches every service through the catalog of the region', async () => {
    const client = fx.client();
    const session = serviceSession(client);
    await session.compute.listServers({});
    await session.image.getImage('11111111-1111-1111-1111-111111111111');
    await session.volume.getVolume('11111111-1111-1111-1111-111111111111');
    await session.network.listNetworks();
    const paths = fx.sim.controls.requestLog().map((entry) => `${entry.service} ${entry.path.split('?')[0]}`);
    expect(paths).toEqual([
      'identity /v2.0/tokens',
      `compute /compute/v2/${fx.sim.tenantId}/servers/detail`,
      'image /image/v2/images/11111111-1111-1111-1111-111111111111',
      `volume /volume/v2/${fx.sim.tenantId}/volumes/11111111-1111-1111-1111-111111111111`,
      'network /network/v2.0/networks',
    ]);
  });

  it('answers unavailable for a region the catalog does not serve', async () => {
    const client = fx.client({ NHN_REGION: 'jp9' });
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'unavailable' });
    expect(error.message).toContain('JP9');
  });

  it('prefers a configured endpoint to the catalog', async () => {
    const client = fx.clients.create(
      serviceConfig(fx.sim, { NHN_COMPUTE_URL: 'http://127.0.0.1:1', NHN_VOLUME_URL: `${fx.sim.url}/volume/`, UPSTREAM_MAX_RETRIES: '0' }),
    );
    const error = await upstreamError(serviceSession(client).compute.listServers({}));
    expect(error).toMatchObject({ service: 'compute', kind: 'unavailable' });
    expect(error.message).not.toContain('127.0.0.1');
    expect(await serviceSession(client).volume.getVolume('11111111-1111-1111-1111-111111111111')).toBeNull();
    expect(count(fx.sim, 'GET compute /servers/detail')).toBe(0);
    expect(count(fx.sim, 'GET volume /volumes/{id}')).toBe(1);
  });
});
