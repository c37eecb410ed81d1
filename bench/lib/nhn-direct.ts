// Facts the soak needs for its mutations that the GraphQL contract does not list (a network to
// create servers in, volumes to attach), read straight from the simulator's NHN API.

import { request } from 'undici';
import type { SimulatorProcessReport } from '../simulator-process.js';

export interface DirectFacts {
  networkId: string;
  /** Volumes that are available and not bootable, with their zone. */
  spareVolumes: { id: string; zone: string }[];
}

async function json<T>(url: string, init: { method?: 'GET' | 'POST'; token?: string; body?: unknown } = {}): Promise<T> {
  const response = await request(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(init.token ? { 'x-auth-token': init.token } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.statusCode >= 300) throw new Error(`${url} answered ${response.statusCode}: ${await response.body.text()}`);
  return (await response.body.json()) as T;
}

export async function readDirectFacts(simulator: SimulatorProcessReport): Promise<DirectFacts> {
  const { access } = await json<{ access: { token: { id: string } } }>(`${simulator.identityUrl}/v2.0/tokens`, {
    method: 'POST',
    body: { auth: { tenantId: simulator.tenantId, passwordCredentials: { username: simulator.username, password: simulator.apiPassword } } },
  });
  const token = access.token.id;
  const { networks } = await json<{ networks: { id: string; 'router:external'?: boolean }[] }>(`${simulator.url}/network/v2.0/networks`, { token });
  const network = networks.find((n) => !n['router:external']) ?? networks[0];
  if (!network) throw new Error('the simulator lists no network');
  const { volumes } = await json<{ volumes: { id: string; status?: string; bootable?: string | boolean; availability_zone?: string }[] }>(
    `${simulator.url}/volume/v2/${simulator.tenantId}/volumes/detail`,
    { token },
  );
  const spareVolumes = volumes
    .filter((v) => v.status === 'available' && String(v.bootable) !== 'true')
    .map((v) => ({ id: v.id, zone: v.availability_zone ?? '' }));
  return { networkId: network.id, spareVolumes };
}
