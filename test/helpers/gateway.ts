// One simulator, the real upstream client pointed at it, and the gateway: what the gateway tests run
// against. `gql` posts through `yoga.fetch` (no port); `calls()` are the simulator's counters minus
// token issuance, i.e. the upstream calls a GraphQL request cost. `startGatewayProcess` runs the
// gateway as `npm start` does, for what only a process shows (signals, everything it writes).

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { createObservability, type Observability } from '../../src/observability/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createUpstreamClient } from '../../src/upstream/index.js';
import type { UpstreamClient } from '../../src/upstream/types.js';

export const TOKEN_ROUTE = 'POST identity /v2.0/tokens';
export const GRAPHQL_URL = 'http://gateway.test/graphql';

export interface GraphQLBody<T = any> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface Stack {
  sim: Simulator;
  config: Config;
  upstream: UpstreamClient;
  gateway: Gateway;
  /** The stack's metrics (a registry of its own) and tracing (when OTEL_* settings were given). */
  observability: Observability;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLBody<T>>;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Upstream calls by route since the last resetLog(), without token issuance. */
  calls(): Record<string, number>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Settings on top of "service account on this simulator"; a function gets the simulator. */
  env?: Record<string, string> | ((sim: Simulator) => Record<string, string>);
  buildDelayMs?: number;
  /** How long a new server stays an unscheduled build request (simulator default: a quarter of buildDelayMs). */
  scheduleDelayMs?: number;
  gateway?: Partial<GatewayOptions>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ port: 0, buildDelayMs: options.buildDelayMs ?? 30, scheduleDelayMs: options.scheduleDelayMs });
  const config = loadConfig({
    NHN_IDENTITY_URL: sim.identityUrl,
    NHN_TENANT_ID: sim.tenantId,
    NHN_USERNAME: sim.username,
    NHN_API_PASSWORD: sim.apiPassword,
    UPSTREAM_RETRY_BASE_DELAY_MS: '1',
    ...(typeof options.env === 'function' ? options.env(sim) : options.env),
  });
  const observability = await createObservability(config);
  const upstream = createUpstreamClient(config, observability);
  const gateway = createGateway({ config, upstream, logger: createLogger('silent'), observability, ...options.gateway });
  const post = async (body: unknown, headers: Record<string, string> = {}) =>
    gateway.yoga.fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return {
    sim,
    config,
    upstream,
    gateway,
    observability,
    post,
    async gql(query, variables, headers) {
      return (await (await post({ query, variables }, headers)).json()) as GraphQLBody;
    },
    calls() {
      const { [TOKEN_ROUTE]: _tokens, ...rest } = sim.controls.counters();
      return rest;
    },
    async close() {
      await upstream.close();
      await observability.close();
      await sim.close();
    },
  };
}

/**
 * Runs `run` on a stack of its own, closed afterwards: for settings other than the file's stack, and
 * for faults that retries, the breaker or the caches would remember.
 */
export async function withStack(options: StackOptions, run: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack(options);
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}

/** What of the stack's locating or secret facts shows in `errors` (an error must show none). */
export function leaksIn(errors: unknown, stack: Stack, secrets: readonly string[] = []): string[] {
  const text = JSON.stringify(errors ?? []);
  const facts = [new URL(stack.sim.url).host, 'http://', 'https://', '127.0.0.1', stack.sim.apiPassword, 'X-Auth-Token:', ...secrets];
  return facts.filter((fact) => fact !== '' && text.includes(fact));
}

/** Polls `done` until it holds (at most ~5 s): for what the simulator notices a moment after the client acts. */
export async function eventually(done: () => boolean | Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

/** Polls a server until it reaches `status` (the simulator settles after buildDelayMs). */
export async function waitForStatus(stack: Stack, id: string, status: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const body = await stack.gql<{ server: { status: string } | null }>('query($id: ID!) { server(id: $id) { status } }', { id });
    if (body.data?.server?.status === status) return;
    if (Date.now() > until) throw new Error(`server ${id} did not reach ${status}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- the gateway as a process (`npm start`) ---------------------------------------------------------

export interface GatewayProcess {
  child: ChildProcess;
  /** The gateway's origin, e.g. http://127.0.0.1:43567. */
  origin: string;
  /** The embedded simulator's origin (its controls are under /__simulator/); empty without one. */
  simulatorUrl: string;
  /** The Prometheus endpoint's URL, unless METRICS_PORT=off. */
  metricsUrl?: string;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `node --import tsx src/main.ts` on the embedded simulator with `env` (plus PATH, port 0 on
 * 127.0.0.1, metrics on a free port) and resolves once it printed "Ready in".
 */
export async function startGatewayProcess(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '0', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/^Ready in \d+ ms/m.test(output)) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then((code) => reject(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child,
    origin: /(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(output)![1]!,
    // Empty when NHN_IDENTITY_URL pointed the process at a simulator of the test's own.
    simulatorUrl: /simulator at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '',
    metricsUrl: /Prometheus metrics: (http:\/\/\S+)/.exec(output)?.[1],
    output: () => output,
    async stop() {
      // A second SIGTERM would end the drain at once (Node's default once main.ts's handler ran).
      if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
      return exited;
    },
  };
}
