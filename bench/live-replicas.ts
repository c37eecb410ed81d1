// `npm run bench:live-replicas`: what live server state costs the upstream per minute with three
// replicas, one project and subscribers on every replica, with the default live intervals: through
// Redis (one watcher in all) and without it (one watcher per replica). Quiet project (nothing
// changes): the cost is the watcher's steady polling.
//
//   npm run bench:live-replicas -- --seconds 60 --subscribers 30

import { createClient } from 'graphql-sse';
import { startSimulator } from '../src/simulator/index.js';
import { startRedis, startReplicas } from '../test/helpers/replicas.js';
import { numberFlag, parseFlags } from './lib/args.js';

const flags = parseFlags({
  seconds: { default: '60', help: 'measured window' },
  subscribers: { default: '30', help: 'serverChanges subscribers, spread over the replicas' },
});
const seconds = numberFlag(flags.seconds, 'seconds');
const subscribers = numberFlag(flags.subscribers, 'subscribers');

async function measure(withRedis: boolean): Promise<Record<string, number>> {
  const sim = await startSimulator({ port: 0, buildDelayMs: 1000 });
  const redis = withRedis ? await startRedis() : undefined;
  const stack = await startReplicas(3, { sim, redisUrl: redis?.url, env: { LOG_LEVEL: 'warn' } });
  const clients = stack.replicas.map((r) => createClient({ url: `${r.origin}/graphql`, retryAttempts: 0, singleConnection: false }));
  const stops: (() => void)[] = [];
  try {
    for (let i = 0; i < subscribers; i++) {
      stops.push(clients[i % 3]!.subscribe({ query: 'subscription { serverChanges { kind server { id } } }' }, { next: () => {}, error: () => {}, complete: () => {} }));
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // watchers started, first lists done
    sim.controls.resetLog();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return stack.calls();
  } finally {
    for (const stop of stops) stop();
    for (const client of clients) client.dispose();
    await stack.close();
    await sim.close();
    await redis?.close();
  }
}

for (const withRedis of [true, false]) {
  const calls = await measure(withRedis);
  const perMinute = Object.fromEntries(Object.entries(calls).map(([route, count]) => [route, +((count * 60) / seconds).toFixed(1)]));
  console.log(`3 replicas, ${subscribers} subscribers, quiet project, ${seconds} s, ${withRedis ? 'Redis (shared watcher)' : 'no Redis (a watcher per replica)'}:`);
  console.log(`  upstream calls per minute: ${JSON.stringify(perMinute)}`);
}
