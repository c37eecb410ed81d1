// The simulator's controls over HTTP (/__simulator/<name>, JSON in and out; see
// src/simulator/controls.ts), for a runner whose simulator lives in another process.

import { Pool } from 'undici';
import type { RequestLogEntry, Service } from '../../src/simulator/index.js';

export class SimulatorControlsClient {
  readonly #pool: Pool;

  constructor(origin: string) {
    this.#pool = new Pool(origin, { connections: 2 });
  }

  async #call<T>(method: 'GET' | 'POST', name: string, args?: Record<string, unknown>): Promise<T> {
    const response = await this.#pool.request({
      method,
      path: `/__simulator/${name}`,
      headers: args === undefined ? {} : { 'content-type': 'application/json' },
      body: args === undefined ? undefined : JSON.stringify(args),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`simulator control ${name} answered ${response.statusCode}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  setLatency(ms: number, service?: Service): Promise<void> {
    return this.#call('POST', 'latency', { ms, service });
  }

  setErrorRate(service: Service, rate: number): Promise<void> {
    return this.#call('POST', 'error-rate', { service, rate });
  }

  counters(): Promise<Record<string, number>> {
    return this.#call('GET', 'counters');
  }

  requestLog(): Promise<RequestLogEntry[]> {
    return this.#call('GET', 'request-log');
  }

  /** A change made behind the gateway's back, as NHN's console would make it (no API call). */
  changeServer(serverId: string, change: Record<string, unknown>): Promise<void> {
    return this.#call('POST', 'change-server', { serverId, ...change });
  }

  resetLog(): Promise<void> {
    return this.#call('POST', 'reset-log');
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
