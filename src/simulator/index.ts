// The embedded NHN Cloud API simulator: identity, compute, image, volume and network on one
// origin, with demo data, Nova's validation and state rules, and controls for tests.
//
//   const sim = await startSimulator({ buildDelayMs: 20 });
//   POST {sim.identityUrl}/v2.0/tokens -> a token whose catalog points at sim.url
//   await sim.close();

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorCore } from './core.js';
import { createControls, type SimulatorControls } from './controls.js';
import { HttpFront } from './server.js';

export type { SimulatorControls } from './controls.js';
export type { FaultSpec, FaultMode } from './faults.js';
export type { RequestLogEntry } from './request-log.js';
export type { Service } from './errors.js';

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  tenantId?: string;
  username?: string;
  apiPassword?: string;
  /** BUILD -> ACTIVE and every transitional state; default 1000 ms. */
  buildDelayMs?: number;
  /** Deterministic ids and data; default 42. */
  seed?: number;
  /** How long a new server stays an unscheduled build request; default a quarter of buildDelayMs. */
  scheduleDelayMs?: number;
  /** How long deleted servers stay visible to changes-since with status DELETED; default 24 h. */
  deletedRetentionMs?: number;
}

export interface Simulator {
  /** The origin, e.g. http://127.0.0.1:43567. */
  url: string;
  /** Identity root (== url): POST {identityUrl}/v2.0/tokens. */
  identityUrl: string;
  tenantId: string;
  username: string;
  apiPassword: string;
  controls: SimulatorControls;
  close(): Promise<void>;
}

export const SIMULATOR_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  tenantId: '6cdebe3eb0094910bc41f1d42ebe4cb7',
  username: 'demo@example.com',
  apiPassword: 'demo-api-password',
  buildDelayMs: 1000,
  seed: 42,
} as const;

function originOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const d = SIMULATOR_DEFAULTS;
  const host = options.host ?? d.host;
  const account = {
    tenantId: options.tenantId ?? d.tenantId,
    username: options.username ?? d.username,
    apiPassword: options.apiPassword ?? d.apiPassword,
  };
  const core = new SimulatorCore(options.seed ?? d.seed, options.buildDelayMs ?? d.buildDelayMs, account, {
    scheduleDelayMs: options.scheduleDelayMs,
    deletedRetentionMs: options.deletedRetentionMs,
  });
  const controls = createControls(core, account.tenantId);
  const front = new HttpFront(core, controls);
  const server = createServer({ keepAliveTimeout: 65_000 }, front.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? d.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = originOf(host, (server.address() as AddressInfo).port);
  core.world.origin = url;
  return {
    url,
    identityUrl: url,
    ...account,
    controls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of front.hanging) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
