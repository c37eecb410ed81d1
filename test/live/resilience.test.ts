// An upstream outage ends no subscription: the watcher backs off (with jitter) and events resume
// once the upstream answers again.

import { expect, test } from 'vitest';
import { startLiveStack } from '../helpers/live.js';

const SERVER_SUB = 'subscription($id: ID!) { server(id: $id) { id status } }';
const CHANGES_SUB = 'subscription { serverChanges { kind server { id status } } }';

test('an upstream outage ends no subscription, and events resume after it', async () => {
  const stack = await startLiveStack({ env: { UPSTREAM_BREAKER_RESET_MS: '100', UPSTREAM_MAX_RETRIES: '0' } });
  try {
    const body = await stack.gql('{ servers(first: 10) { edges { node { id name } } } }');
    const id = body.data.servers.edges.find((e: any) => e.node.name === 'win-01').node.id;
    const one = stack.sse(SERVER_SUB, { id });
    const all = stack.ws(CHANGES_SUB);
    await one.next((r) => r.data?.server.status === 'ACTIVE');

    stack.sim.controls.setErrorRate('compute', 1);
    await expect.poll(() => stack.gateway.live.stats().watchers[0]!.consecutiveFailures, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    // The stop happens during the outage; nothing can be seen yet, and nothing has ended.
    stack.sim.controls.changeServer(id, { action: 'stop' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(one.completed || all.completed).toBe(false);
    expect(one.results.filter((r) => r.errors)).toEqual([]);

    stack.sim.controls.setErrorRate('compute', 0);
    await one.next((r) => r.data?.server.status === 'SHUTOFF');
    await all.next((r) => r.data?.serverChanges.server.id === id && r.data.serverChanges.server.status === 'SHUTOFF');
    expect(stack.gateway.live.stats().watchers[0]!.consecutiveFailures).toBe(0);
    expect(one.completed || all.completed).toBe(false);
    one.dispose();
    all.dispose();
  } finally {
    await stack.close();
  }
});
