// One simulator per test file, on 127.0.0.1 port 0, and a small HTTP client for it (global fetch).

import { readFileSync } from 'node:fs';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  body: T;
}

export function sample(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/api-samples/${name}`, import.meta.url), 'utf8'));
}

export class Harness {
  token = '';

  constructor(readonly sim: Simulator) {}

  get computeRoot(): string {
    return `${this.sim.url}/compute/v2/${this.sim.tenantId}`;
  }

  async request(method: string, url: string, body?: unknown, token: string | undefined = this.token): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers['x-auth-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  }

  issueToken(credentials: { tenantId?: string; username?: string; password?: string } = {}): Promise<Answer> {
    const { sim } = this;
    return this.request('POST', `${sim.identityUrl}/v2.0/tokens`, {
      auth: {
        tenantId: credentials.tenantId ?? sim.tenantId,
        passwordCredentials: { username: credentials.username ?? sim.username, password: credentials.password ?? sim.apiPassword },
      },
    }, undefined);
  }

  async login(): Promise<void> {
    const answer = await this.issueToken();
    this.token = answer.body.access.token.id;
  }

  compute(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.request(method, `${this.computeRoot}${path}`, body);
  }

  image(path: string): Promise<Answer> {
    return this.request('GET', `${this.sim.url}/image${path}`);
  }

  volume(path: string): Promise<Answer> {
    return this.request('GET', `${this.sim.url}/volume/v2/${this.sim.tenantId}${path}`);
  }

  network(path: string): Promise<Answer> {
    return this.request('GET', `${this.sim.url}/network${path}`);
  }

  action(serverId: string, body: unknown): Promise<Answer> {
    return this.compute('POST', `/servers/${serverId}/action`, body);
  }

  async server(id: string): Promise<any> {
    return (await this.compute('GET', `/servers/${id}`)).body.server;
  }

  async serverNamed(name: string): Promise<any> {
    const list = await this.compute('GET', `/servers/detail?name=${encodeURIComponent(`^${name}$`)}`);
    const [server] = list.body.servers;
    if (!server) throw new Error(`no server named ${name}`);
    return server;
  }

  /** Adds one settled server with the addServers control and returns its id (lists are newest first). */
  async addServer(status: string, flavor?: string): Promise<string> {
    this.sim.controls.addServers(1, { status, flavor });
    return (await this.compute('GET', '/servers?limit=1')).body.servers[0].id;
  }

  /** Polls GET /servers/{id} every 5 ms until `done` holds (the build delay is tens of ms in tests). */
  async waitFor(id: string, done: (server: any) => boolean, timeoutMs = 3000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const server = await this.server(id);
      if (server && done(server)) return server;
      if (Date.now() > deadline) throw new Error(`server ${id} did not settle: ${server?.status} ${server?.['OS-EXT-STS:task_state']}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  waitForStatus(id: string, status: string): Promise<any> {
    return this.waitFor(id, (s) => s.status === status && s['OS-EXT-STS:task_state'] === null);
  }

  async flavorId(name: string): Promise<string> {
    const flavors = (await this.compute('GET', '/flavors')).body.flavors as { id: string; name: string }[];
    return flavors.find((f) => f.name === name)!.id;
  }

  async imageId(namePrefix: string): Promise<string> {
    const images = (await this.image('/v2/images')).body.images as { id: string; name: string }[];
    return images.find((i) => i.name.startsWith(namePrefix))!.id;
  }

  async subnetId(): Promise<string> {
    return (await this.network('/v2.0/subnets')).body.subnets[0].id;
  }

  /** A valid create body for a volume-backed m2 server; `server` fields override. */
  async createBody(server: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<any> {
    const image = await this.imageId('Ubuntu Server 22.04');
    return {
      server: {
        name: 'app-01',
        imageRef: image,
        flavorRef: await this.flavorId('m2.c2m4'),
        networks: [{ subnet: await this.subnetId() }],
        key_name: 'demo-key',
        block_device_mapping_v2: [
          { source_type: 'image', uuid: image, boot_index: 0, volume_size: 20, destination_type: 'volume', delete_on_termination: true },
        ],
        ...server,
      },
      ...extra,
    };
  }
}

/** Starts a simulator with a short build delay and logs in; call `close` in afterAll. */
export async function startHarness(options: SimulatorOptions = {}): Promise<Harness> {
  const harness = new Harness(await startSimulator({ buildDelayMs: 30, seed: 42, ...options }));
  await harness.login();
  return harness;
}
