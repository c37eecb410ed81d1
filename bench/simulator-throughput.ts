// GET throughput of the simulator alone on a 100-server `servers/detail` page: the figure that says
// whether the simulator can be the bottleneck of a gateway benchmark. The simulator runs in a child
// process (so autocannon's CPU is not charged to it); autocannon drives it over keep-alive HTTP.
//
//   node --import tsx bench/simulator-throughput.ts [--connections 10] [--duration 10]

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startSimulator } from '../src/simulator/index.js';

const SERVERS = 100;

/** autocannon's callback form (the one bench/autocannon.d.ts declares), counting response bytes. */
function run(options: autocannon.Options): Promise<{ result: autocannon.Result; bytesPerResponse: number }> {
  let bytes = 0;
  let responses = 0;
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve({ result, bytesPerResponse: bytes / Math.max(responses, 1) }))).on(
      'response',
      (_client, _status, size) => {
        bytes += size;
        responses++;
      },
    );
  });
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function serve(): Promise<void> {
  const sim = await startSimulator({ buildDelayMs: 1000 });
  // The demo tenant has 6 servers; fill it to exactly one 100-server page.
  sim.controls.addServers(SERVERS - 6);
  process.send?.({ url: sim.url, tenantId: sim.tenantId, username: sim.username, apiPassword: sim.apiPassword });
  process.once('disconnect', () => void sim.close().finally(() => process.exit(0)));
}

async function measure(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'] });
  const sim = await new Promise<{ url: string; tenantId: string; username: string; apiPassword: string }>((resolve) => child.once('message', resolve as never));
  try {
    const tokenResponse = await fetch(`${sim.url}/v2.0/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { tenantId: sim.tenantId, passwordCredentials: { username: sim.username, password: sim.apiPassword } } }),
    });
    const token = ((await tokenResponse.json()) as { access: { token: { id: string } } }).access.token.id;
    const url = `${sim.url}/compute/v2/${sim.tenantId}/servers/detail`;
    const headers = { 'x-auth-token': token };
    const probe = (await (await fetch(url, { headers })).json()) as { servers: unknown[] };
    if (probe.servers.length !== SERVERS) throw new Error(`expected ${SERVERS} servers, got ${probe.servers.length}`);
    const bytes = Buffer.byteLength(JSON.stringify(probe));

    const connections = option('connections', 10);
    const duration = option('duration', 10);
    await run({ url, headers, connections, duration: 2 }); // warm-up (JIT, caches)
    const { result, bytesPerResponse } = await run({ url, headers, connections, duration });
    console.log(`simulator GET servers/detail (${SERVERS} servers, ${(bytes / 1024).toFixed(0)} KiB a response)`);
    console.log(`  ${connections} connections, ${duration} s, node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
    console.log(`  ${result.requests.average.toFixed(0)} req/s average, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
    console.log(`  ${(bytesPerResponse / 1024).toFixed(0)} KiB received a response; non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
  } finally {
    child.disconnect();
  }
}

await (process.argv.includes('--serve') ? serve() : measure());
