// One simulator, the real upstream client pointed at it, and the gateway: what the gateway tests run
// against. `gql` posts through `yoga.fetch` (no port); `calls()` are the simulator's counters minus
// token issuance, i.e. the upstream calls a GraphQL request cost.

import { loadConfig, type Config } from '../../src/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
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
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLBody<T>>;
  post(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Upstream calls by route since the last resetLog(), without token issuance. */
  calls(): Record<string, number>;
  close(): Promise<void>;
}

export async function startStack(
  options: {
    /** Settings on top of "service account on this simulator"; a function gets the simulator. */
    env?: Record<string, string> | ((sim: Simulator) => Record<string, string>);
    buildDelayMs?: number;
    gateway?: Partial<GatewayOptions>;
  } = {},
): Promise<Stack> {
  const sim = await startSimulator({ port: 0, buildDelayMs: options.buildDelayMs ?? 30 });
  const config = loadConfig({
    NHN_IDENTITY_URL: sim.identityUrl,
    NHN_TENANT_ID: sim.tenantId,
    NHN_USERNAME: sim.username,
    NHN_API_PASSWORD: sim.apiPassword,
    UPSTREAM_RETRY_BASE_DELAY_MS: '1',
    ...(typeof options.env === 'function' ? options.env(sim) : options.env),
  });
  const upstream = createUpstreamClient(config);
  const gateway = createGateway({ config, upstream, logger: createLogger('silent'), ...options.gateway });
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
      await sim.close();
    },
  };
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
