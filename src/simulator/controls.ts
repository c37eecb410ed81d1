// SimulatorControls: the knobs tests and benchmarks turn, in-process and over HTTP under
// /__simulator/ (a prefix no NHN path uses). The HTTP form takes and answers JSON.

import type { AccountInput, SimulatorCore } from './core.js';
import type { Service } from './errors.js';
import { checkService, type FaultSpec } from './faults.js';
import { jsonReply, emptyReply, type Reply } from './reply.js';
import type { RequestLogEntry } from './request-log.js';
import { addBulkServers } from './seed.js';
import { DEFAULT_TOKEN_LIFETIME_SECONDS } from './identity.js';
import { STATUS_PRESETS } from './compute/lifecycle.js';
import { changeFromConsole, type ConsoleChange } from './compute/console.js';

export interface SimulatorControls {
  /** Added delay before every answer (of one service, or of all). */
  setLatency(ms: number, service?: Service): void;
  /** That fraction (0..1, seeded) of the service's calls answer 503 in the service's own error format. */
  setErrorRate(service: Service, rate: number): void;
  /** The next `count` calls of `route` ("GET compute /servers/detail") fail as `fault` says. */
  failNext(route: string, count: number, fault?: FaultSpec): void;
  /** Every token issued so far answers 401 from now on. */
  revokeTokens(): void;
  /** That one token answers 401 from now on. */
  revokeToken(tokenId: string): void;
  /** Lifetime of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /** A second tenant with its own seeded data. */
  addAccount(account: AccountInput): void;
  /**
   * Adds settled servers to a tenant (default: the demo tenant) in `status` (default ACTIVE; also
   * SHUTOFF, PAUSED, SUSPENDED, ERROR, SHELVED_OFFLOADED, BUILD), of flavor `flavor` (a name, default m2.c2m4).
   */
  addServers(count: number, options?: { tenantId?: string; status?: string; flavor?: string }): void;
  /**
   * Changes a server as NHN's console would, behind the gateway's back (no API call, nothing in the
   * request log): stop, start, reboot, hardReboot, delete, rename (with `name`), fail (ERROR with a fault).
   */
  changeServer(serverId: string, change: ConsoleChange, tenantId?: string): void;
  /** How long deleted servers stay visible to changes-since (status DELETED) before they are archived. */
  setDeletedRetention(ms: number): void;
  requestLog(): RequestLogEntry[];
  counters(): Record<string, number>;
  resetLog(): void;
  /** Seed data again, no faults, default token lifetime, empty log. */
  reset(): void;
}

export function createControls(core: SimulatorCore, demoTenantId: string): SimulatorControls {
  return {
    setLatency: (ms, service) => core.faults.setLatency(ms, service),
    setErrorRate: (service, rate) => core.faults.setErrorRate(service, rate),
    failNext: (route, count, fault) => core.faults.failNext(route, count, fault),
    revokeTokens: () => core.tokens.revokeAll(),
    revokeToken: (tokenId) => core.tokens.revoke(tokenId),
    setTokenLifetime: (seconds) => {
      if (!(Number.isFinite(seconds) && seconds >= 0)) throw new Error('token lifetime must be a non-negative number of seconds');
      core.tokens.lifetimeSeconds = seconds;
    },
    addAccount: (account) => void core.addAccount(account),
    addServers: (count, options = {}) => {
      if (!Number.isInteger(count) || count < 0) throw new Error('addServers: count must be a non-negative integer');
      const tenant = core.world.tenants.get(options.tenantId ?? demoTenantId);
      if (!tenant) throw new Error(`addServers: unknown tenant ${options.tenantId}`);
      const status = (options.status ?? 'ACTIVE').toUpperCase();
      if (!(status in STATUS_PRESETS)) throw new Error(`addServers: status must be one of ${Object.keys(STATUS_PRESETS).join(', ')}`);
      addBulkServers(core.world, tenant, count, { status: status as keyof typeof STATUS_PRESETS, flavorName: options.flavor ?? 'm2.c2m4', now: Date.now() });
    },
    changeServer: (serverId, change, tenantId) => {
      const tenant = core.world.tenants.get(tenantId ?? demoTenantId);
      if (!tenant) throw new Error(`changeServer: unknown tenant ${tenantId}`);
      changeFromConsole(core.world, tenant, serverId, change);
    },
    setDeletedRetention: (ms) => {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new Error('deleted retention must be a non-negative number of milliseconds');
      core.world.deletedRetentionMs = ms;
    },
    requestLog: () => core.log.list(),
    counters: () => core.log.counters(),
    resetLog: () => core.log.clear(),
    reset: () => {
      core.reseed();
      core.faults.reset();
      core.tokens.lifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS;
      core.log.clear();
    },
  };
}

type Args = Record<string, unknown>;

const num = (value: unknown) => value as number;
const str = (value: unknown) => value as string;

/** POST /__simulator/<name> with the arguments as a JSON object; GET for the read-only ones. */
const HTTP_CONTROLS: Record<string, { method: 'GET' | 'POST'; run: (c: SimulatorControls, a: Args) => unknown }> = {
  latency: { method: 'POST', run: (c, a) => c.setLatency(num(a.ms), a.service === undefined ? undefined : checkService(str(a.service))) },
  'error-rate': { method: 'POST', run: (c, a) => c.setErrorRate(checkService(str(a.service)), num(a.rate)) },
  'fail-next': { method: 'POST', run: (c, a) => c.failNext(str(a.route), num(a.count), a.fault as FaultSpec | undefined) },
  'revoke-tokens': { method: 'POST', run: (c) => c.revokeTokens() },
  'revoke-token': { method: 'POST', run: (c, a) => c.revokeToken(str(a.tokenId)) },
  'token-lifetime': { method: 'POST', run: (c, a) => c.setTokenLifetime(num(a.seconds)) },
  accounts: { method: 'POST', run: (c, a) => c.addAccount(a as unknown as AccountInput) },
  servers: { method: 'POST', run: (c, a) => c.addServers(num(a.count), a as { tenantId?: string; status?: string; flavor?: string }) },
  'change-server': {
    method: 'POST',
    run: (c, a) => c.changeServer(str(a.serverId), a as unknown as ConsoleChange, a.tenantId === undefined ? undefined : str(a.tenantId)),
  },
  'deleted-retention': { method: 'POST', run: (c, a) => c.setDeletedRetention(num(a.ms)) },
  'request-log': { method: 'GET', run: (c) => c.requestLog() },
  counters: { method: 'GET', run: (c) => c.counters() },
  'reset-log': { method: 'POST', run: (c) => c.resetLog() },
  reset: { method: 'POST', run: (c) => c.reset() },
};

export function handleControlRequest(controls: SimulatorControls, method: string, name: string, body: unknown): Reply {
  const control = HTTP_CONTROLS[name];
  if (!control) return jsonReply(404, { error: `unknown control ${name}; known: ${Object.keys(HTTP_CONTROLS).join(', ')}` });
  if (method !== control.method) return jsonReply(405, { error: `use ${control.method} for ${name}` });
  const args = typeof body === 'object' && body !== null ? (body as Args) : {};
  try {
    const result = control.run(controls, args);
    return result === undefined ? emptyReply(204) : jsonReply(200, result);
  } catch (error) {
    return jsonReply(400, { error: (error as Error).message });
  }
}
