// The NHN API simulator in its own process, so that its CPU time is not charged to the load generator
// and the gateway talks to it over real HTTP. Started by bench/lib/services.ts with one JSON argument
// (SimulatorProcessOptions); it reports its URL and the demo credentials as one JSON line on stdout
// and runs until SIGTERM. The runner then drives it through the HTTP controls under /__simulator/.

import { startSimulator, type Service } from '../src/simulator/index.js';

export interface SimulatorProcessOptions {
  /** Added latency per service ('*' = every service), in ms. */
  latencyMs?: Partial<Record<Service | '*', number>>;
  /** Fraction (0..1) of calls that answer 503, per service. */
  errorRates?: Partial<Record<Service, number>>;
  /** ACTIVE servers added to the demo tenant (so that a 100-server page is full). */
  addServers?: number;
  buildDelayMs?: number;
  seed?: number;
}

export interface SimulatorProcessReport {
  url: string;
  identityUrl: string;
  tenantId: string;
  username: string;
  apiPassword: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessOptions;
const simulator = await startSimulator({ port: 0, buildDelayMs: options.buildDelayMs, seed: options.seed });
const { controls } = simulator;

if (options.addServers) controls.addServers(options.addServers);
for (const [service, ms] of Object.entries(options.latencyMs ?? {}) as [Service | '*', number][]) {
  controls.setLatency(ms, service === '*' ? undefined : service);
}
for (const [service, rate] of Object.entries(options.errorRates ?? {}) as [Service, number][]) controls.setErrorRate(service, rate);
// Setting up must not show in the first measurement's call counts.
controls.resetLog();

const report: SimulatorProcessReport = {
  url: simulator.url,
  identityUrl: simulator.identityUrl,
  tenantId: simulator.tenantId,
  username: simulator.username,
  apiPassword: simulator.apiPassword,
};
process.stdout.write(`${JSON.stringify(report)}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void simulator.close().finally(() => process.exit(0));
  });
}
