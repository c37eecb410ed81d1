// `npm run simulator`: the simulator alone over HTTP, with the demo account's credentials printed
// so that any client (curl, the gateway with NHN_* settings) can get a token.

import { loadConfig } from '../config.js';
import { startSimulator } from './index.js';

const { simulator: settings } = loadConfig();
const sim = await startSimulator(settings);

const lines = [
  `NHN Cloud API simulator listening on ${sim.url}`,
  '',
  `  identity URL   ${sim.identityUrl}    (POST ${sim.identityUrl}/v2.0/tokens)`,
  `  tenant id      ${sim.tenantId}`,
  `  username       ${sim.username}`,
  `  API password   ${sim.apiPassword}`,
  '',
  `  compute        ${sim.url}/compute/v2/${sim.tenantId}`,
  `  image          ${sim.url}/image`,
  `  volume         ${sim.url}/volume/v2/${sim.tenantId}`,
  `  network        ${sim.url}/network`,
  `  controls       ${sim.url}/__simulator/`,
  '',
  `  servers: BUILD -> ACTIVE after ${settings.buildDelayMs} ms; seed ${settings.seed}`,
];
console.log(lines.join('\n'));

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('simulator: failed to close', error);
        process.exit(1);
      },
    );
  });
}
