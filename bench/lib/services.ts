// The three kinds of process a bench or soak run talks to: the simulator, the gateway and the Q1
// baseline, each started as a child of the runner and stopped with it.

import type { BaselineOptions } from '../baseline.js';
import type { SimulatorProcessOptions, SimulatorProcessReport } from '../simulator-process.js';
import { firstJsonLine, freePort, spawnNode, waitForReady, type Child } from './processes.js';
import { SimulatorControlsClient } from './simulator-client.js';

const TSX = ['--import', 'tsx'];

export interface SimulatorProcess extends SimulatorProcessReport {
  child: Child;
  controls: SimulatorControlsClient;
}

export async function startSimulatorProcess(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
  const { child, value } = await firstJsonLine<SimulatorProcessReport>('simulator', 'bench/simulator-process.ts', {
    nodeArgs: TSX,
    args: [JSON.stringify(options)],
  });
  return { ...value, child, controls: new SimulatorControlsClient(value.url) };
}

export interface HttpService {
  child: Child;
  origin: string;
  graphqlUrl: string;
  /** Milliseconds from spawn to the first 200 of GET /ready. */
  startupMs: number;
}

/** How the gateway is run: from TypeScript through tsx, or compiled (`dist`, see buildGateway). */
export type GatewayEntry = { kind: 'tsx' } | { kind: 'dist'; mainJs: string };

/** How to run the gateway: its entry and extra node flags (e.g. --max-old-space-size=128). */
export interface GatewayLaunch {
  entry?: GatewayEntry;
  /** Extra node flags after tsx's. */
  nodeArgs?: string[];
}

export interface GatewayOptions extends GatewayLaunch {
  simulator: SimulatorProcessReport;
  /** Extra environment, e.g. cache TTLs of 0 for an always-cold gateway. */
  env?: Record<string, string>;
  name?: string;
}

async function startHttpService(name: string, port: number, start: () => Child): Promise<HttpService> {
  const startedAt = performance.now();
  const child = start();
  const origin = `http://127.0.0.1:${port}`;
  const startupMs = await waitForReady(child, `${origin}/ready`, startedAt);
  return { child, origin, graphqlUrl: `${origin}/graphql`, startupMs };
}

export async function startGateway(options: GatewayOptions): Promise<HttpService> {
  const port = await freePort();
  const entry = options.entry ?? { kind: 'tsx' };
  const name = options.name ?? 'gateway';
  const { simulator } = options;
  return startHttpService(name, port, () =>
    spawnNode(name, entry.kind === 'tsx' ? 'src/main.ts' : entry.mainJs, {
      nodeArgs: [...(entry.kind === 'tsx' ? TSX : []), ...(options.nodeArgs ?? [])],
      env: {
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // Several gateways run at once: the metrics listener takes a free port each.
        METRICS_PORT: '0',
        NHN_IDENTITY_URL: simulator.identityUrl,
        NHN_TENANT_ID: simulator.tenantId,
        NHN_USERNAME: simulator.username,
        NHN_API_PASSWORD: simulator.apiPassword,
        ...options.env,
      },
    }),
  );
}

export async function startBaseline(simulator: SimulatorProcessReport, cacheTtlMs: number): Promise<HttpService> {
  const port = await freePort();
  const options: BaselineOptions = {
    port,
    identityUrl: simulator.identityUrl,
    tenantId: simulator.tenantId,
    username: simulator.username,
    apiPassword: simulator.apiPassword,
    region: 'KR1',
    cacheTtlMs,
    connections: 32,
    pageSize: 100,
  };
  const name = cacheTtlMs > 0 ? 'baseline-cached' : 'baseline';
  return startHttpService(name, port, () => spawnNode(name, 'bench/baseline.ts', { nodeArgs: TSX, args: [JSON.stringify(options)] }));
}
