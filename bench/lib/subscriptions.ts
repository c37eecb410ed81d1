// `npm run bench -- --subscriptions N`: live server state at scale. One gateway process (production
// settings, the default live intervals) on the simulator in its own process; N subscriptions of one
// project, half over SSE (one connection each) and half over graphql-ws (one socket each). Measures:
//   - upstream calls per minute with 1 and with N subscribers, idle (slow interval) and while a server
//     is in transition (fast interval), from the simulator's request log;
//   - time from an upstream change (a rename made behind the gateway's back) to its event at a
//     client, p50/p90, while the watcher polls fast;
//   - gateway RSS per 1,000 open subscriptions;
//   - fan-out throughput: events delivered to all N clients per second, for a burst of changes.

import { setTimeout as sleep } from 'node:timers/promises';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readMemory } from './rss.js';
import { startGateway, startSimulatorProcess, type GatewayLaunch } from './services.js';
import { percentile } from './stats.js';

export interface SubscriptionBenchResult {
  subscriptions: number;
  windowS: number;
  callsPerMinute: { idle1: number; idleN: number; fast1: number; fastN: number };
  latencyMs: { p50: number; p90: number; samples: number };
  rss: { beforeMb: number; withNMb: number; perThousandMb: number };
  fanOut: { deliveries: number; seconds: number; perSecond: number };
  fastIntervalMs: number;
}

type Listener = (event: { id: string; name: string; status: string }) => void;

const CHANGES = 'subscription { serverChanges { kind server { id name status taskState } } }';

export async function runSubscriptionBench(
  count: number,
  windowS: number,
  launch: GatewayLaunch,
  log: (line: string) => void,
): Promise<SubscriptionBenchResult> {
  // Long transitions: a console stop keeps its server in `powering-off` (the watcher on its fast
  // interval) for the whole fast-mode part of the run.
  const simulator = await startSimulatorProcess({ buildDelayMs: 600_000 });
  const gateway = await startGateway({ ...launch, simulator, env: { LIVE_MAX_SUBSCRIPTIONS_PER_CALLER: String(Math.max(2_000, count + 10)) } });
  const disposers: (() => void)[] = [];
  try {
    const query = async (q: string) =>
      (await (await fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) })).json()) as any;
    const servers = (await query('{ servers(first: 20) { edges { node { id name status } } } }')).data.servers.edges.map((e: any) => e.node);
    const renamed = servers.find((s: any) => s.name === 'web-01');
    const transitioning = servers.find((s: any) => s.name === 'db-01');
    const burst = servers.filter((s: any) => s !== transitioning).slice(0, 5);
    const fastIntervalMs = 2_000;

    await sleep(1_000);
    const before = readMemory(gateway.child.pid).rssMb;
    const listeners = new Set<Listener>();
    let opened = 0;
    const open = (index: number) => {
      const sink = {
        next: (result: any) => {
          const server = result.data?.serverChanges?.server;
          if (server) for (const listener of listeners) listener({ ...server, client: index } as never);
        },
        error: (error: unknown) => log(`subscription ${index} failed: ${String(error)}`),
        complete: () => undefined,
      };
      if (index % 2 === 0) {
        const client = createSseClient({ url: gateway.graphqlUrl, retryAttempts: 0 });
        disposers.push(client.subscribe({ query: CHANGES }, sink), () => client.dispose());
      } else {
        const client = createWsClient({ url: gateway.graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
        disposers.push(client.subscribe({ query: CHANGES }, sink), () => void client.dispose());
      }
      opened++;
    };

    const callsPerMinute = async (label: string): Promise<number> => {
      // Start right after a poll, so that the window holds whole poll intervals whatever their phase.
      const polls = async () => (await simulator.controls.counters())['GET compute /servers/detail'] ?? 0;
      const seen = await polls();
      while ((await polls()) === seen) await sleep(20);
      await simulator.controls.resetLog();
      await sleep(windowS * 1000);
      const counters = await simulator.controls.counters();
      const calls = Object.entries(counters)
        .filter(([route]) => !route.includes('/tokens'))
        .reduce((sum, [, n]) => sum + n, 0);
      const perMinute = (calls * 60) / windowS;
      log(`  ${label}: ${calls} upstream calls in ${windowS} s = ${perMinute.toFixed(1)}/min ${JSON.stringify(counters)}`);
      return perMinute;
    };

    log(`subscriptions bench: 1 subscriber, then ${count}; windows of ${windowS} s`);
    open(0);
    await sleep(3_000);
    const idle1 = await callsPerMinute('idle, 1 subscriber');

    for (let i = 1; i < count; i++) {
      open(i);
      if (i % 100 === 0) await sleep(50);
    }
    await sleep(3_000);
    const withN = readMemory(gateway.child.pid).rssMb;
    log(`  RSS: ${before.toFixed(1)} MB with none open, ${withN.toFixed(1)} MB with ${opened}`);
    const idleN = await callsPerMinute(`idle, ${count} subscribers`);

    // Fast mode from here: a server stays in powering-off.
    await simulator.controls.changeServer(transitioning.id, { action: 'stop' });
    await sleep(2 * fastIntervalMs);

    // Latency: renames made behind the gateway's back, to their event at the first client.
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) {
      const name = `bench-rename-${i}`;
      const seen = new Promise<number>((resolve) => {
        const listener: Listener = (event) => {
          if (event.id === renamed.id && event.name === name) {
            listeners.delete(listener);
            resolve(performance.now());
          }
        };
        listeners.add(listener);
      });
      const start = performance.now();
      await simulator.controls.changeServer(renamed.id, { action: 'rename', name });
      samples.push((await seen) - start);
      await sleep(300 + Math.random() * fastIntervalMs);
    }
    const latency = { p50: percentile(samples, 50), p90: percentile(samples, 90), samples: samples.length };
    log(`  change-to-event latency (fast interval ${fastIntervalMs} ms): p50 ${latency.p50.toFixed(0)} ms, p90 ${latency.p90.toFixed(0)} ms over ${samples.length}`);

    // Fan-out: a burst of renames on 5 servers, one poll; every client gets each of them.
    const expected = burst.length * count;
    let delivered = 0;
    let first = 0;
    let last = 0;
    const allDelivered = new Promise<void>((resolve) => {
      listeners.add((event) => {
        if (!event.name.startsWith('bench-burst-')) return;
        const now = performance.now();
        if (delivered === 0) first = now;
        last = now;
        if (++delivered === expected) resolve();
      });
    });
    await Promise.all(burst.map((s: any, i: number) => simulator.controls.changeServer(s.id, { action: 'rename', name: `bench-burst-${i}` })));
    await Promise.race([allDelivered, sleep(30_000)]);
    const seconds = Math.max(0.001, (last - first) / 1000);
    const fanOut = { deliveries: delivered, seconds, perSecond: delivered / seconds };
    log(`  fan-out: ${delivered}/${expected} events delivered in ${(seconds * 1000).toFixed(0)} ms (first to last) = ${fanOut.perSecond.toFixed(0)} events/s`);

    const fastN = await callsPerMinute(`fast, ${count} subscribers`);
    for (const dispose of disposers.splice(2)) dispose();
    await sleep(1_000);
    const fast1 = await callsPerMinute('fast, 1 subscriber');
    return {
      subscriptions: count,
      windowS,
      callsPerMinute: { idle1, idleN, fast1, fastN },
      latencyMs: latency,
      rss: { beforeMb: before, withNMb: withN, perThousandMb: ((withN - before) / count) * 1000 },
      fanOut,
      fastIntervalMs,
    };
  } finally {
    for (const dispose of disposers) dispose();
    await gateway.child.stop();
    await simulator.child.stop();
  }
}
