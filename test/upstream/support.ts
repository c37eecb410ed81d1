// Shared setup of the upstream integration tests: a real simulator on 127.0.0.1 port 0, a Config
// built the way production builds it (loadConfig), and small timeouts so that failure paths are fast.

import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { Simulator } from '../../src/simulator/index.js';
import { createUpstreamClient } from '../../src/upstream/index.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import type { UpstreamClient, UpstreamSession } from '../../src/upstream/types.js';

export const TOKEN_ROUTE = 'POST identity /v2.0/tokens';

/** Settings every test starts from: fast retries and timeouts, a breaker out of the way. */
export const FAST: Record<string, string> = {
  UPSTREAM_CONNECT_TIMEOUT_MS: '2000',
  UPSTREAM_HEADERS_TIMEOUT_MS: '2000',
  UPSTREAM_BODY_TIMEOUT_MS: '2000',
  UPSTREAM_RETRY_BASE_DELAY_MS: '1',
  UPSTREAM_BREAKER_FAILURES: '1000',
};

export function startTestSimulator(): Promise<Simulator> {
  return startSimulator({ host: '127.0.0.1', port: 0, seed: 7, buildDelayMs: 0 });
}

/** A Config for the simulator's demo account (service-account mode) plus `env`. */
export function serviceConfig(sim: Simulator, env: Record<string, string> = {}): Config {
  return loadConfig({
    NHN_IDENTITY_URL: sim.identityUrl,
    NHN_TENANT_ID: sim.tenantId,
    NHN_USERNAME: sim.username,
    NHN_API_PASSWORD: sim.apiPassword,
    ...FAST,
    ...env,
  });
}

/** Tracks every client a test creates so that afterEach can close them all. */
export class Clients {
  readonly #open: UpstreamClient[] = [];

  create(config: Config): UpstreamClient {
    const client = createUpstreamClient(config);
    this.#open.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((client) => client.close()));
  }
}

export interface SimulatorFixture {
  /** The simulator of this test file (reset before every test). */
  readonly sim: Simulator;
  readonly clients: Clients;
  /** A service-account client for the simulator (closed after the test). */
  client(env?: Record<string, string>): UpstreamClient;
  /** The same, with its token already issued and the request log cleared. */
  readyClient(env?: Record<string, string>): Promise<UpstreamClient>;
}

/** One simulator per test file, reset before each test; clients closed after each test. */
export function useSimulator(): SimulatorFixture {
  let sim: Simulator | undefined;
  const clients = new Clients();
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim?.close());
  beforeEach(() => sim!.controls.reset());
  afterEach(() => clients.closeAll());
  return {
    get sim() {
      return sim!;
    },
    clients,
    client: (env) => clients.create(serviceConfig(sim!, env)),
    async readyClient(env) {
      const client = clients.create(serviceConfig(sim!, env));
      await client.ready();
      sim!.controls.resetLog();
      return client;
    },
  };
}

export function serviceSession(client: UpstreamClient, options?: { signal?: AbortSignal }): UpstreamSession {
  return client.session({ kind: 'service' }, options);
}

/** How many requests the simulator saw for `route` since the last resetLog(). */
export function count(sim: Simulator, route: string): number {
  return sim.controls.counters()[route] ?? 0;
}

/** The UpstreamError `promise` rejects with (fails the test when it resolves or throws anything else). */
export async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error('expected an UpstreamError, but the call succeeded');
}

/** Asserts that nothing secret or locating leaks through an error. */
export function leaks(error: UpstreamError, sim: Simulator, secrets: readonly string[] = []): string[] {
  const text = `${error.message} ${error.fault ?? ''}`;
  const port = new URL(sim.url).port;
  return [sim.url, '127.0.0.1', `:${port}`, 'http://', sim.apiPassword, ...secrets].filter((s) => s !== '' && text.includes(s));
}

/**
 * GET a path of the simulator directly (a fresh token, no gateway code in between): for facts a test
 * compares the client against.
 */
export async function rawGet<T>(sim: Simulator, client: UpstreamClient, path: string): Promise<T> {
  const access = await client.issueToken({ tenantId: sim.tenantId, username: sim.username, password: sim.apiPassword });
  const response = await fetch(`${sim.url}${path}`, { headers: { 'x-auth-token': access.token.id } });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
