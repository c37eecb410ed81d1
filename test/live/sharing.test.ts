// One watcher per project, whoever subscribes: 200 subscribers cost the upstream exactly what 1 does,
// counted per completed poll from the simulator's request log. And the subscription limits.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LiveStack, type Subscription, startLiveStack } from '../helpers/live.js';

const SERVER_SUB = 'subscription($id: ID!) { server(id: $id) { id status } }';
const CHANGES_SUB = 'subscription { serverChanges { kind server { id status } } }';

/** Upstream calls made by the next `polls` completed polls, snapshotted when a poll completes (none is then in flight). */
async function callsOverPolls(stack: LiveStack, polls: number): Promise<Record<string, number>> {
  const snapshots: Record<string, number>[] = [];
  await new Promise<void>((resolve) => {
    const onPoll = () => {
      snapshots.push(stack.sim.controls.counters());
      if (snapshots.length === polls + 1) {
        stack.gateway.live.off('poll', onPoll);
        resolve();
      }
    };
    stack.gateway.live.on('poll', onPoll);
  });
  const [first, last] = [snapshots[0]!, snapshots.at(-1)!];
  return Object.fromEntries(
    Object.entries(last)
      .map(([route, count]) => [route, count - (first[route] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}

describe('sharing', () => {
  let stack: LiveStack;
  let ids: Record<string, string>;
  beforeAll(async () => {
    stack = await startLiveStack();
    const body = await stack.gql('{ servers(first: 50) { edges { node { id name } } } }');
    ids = Object.fromEntries(body.data.servers.edges.map((e: any) => [e.node.name, e.node.id]));
  });
  afterAll(() => stack.close());

  test('200 subscribers of one project cost the same upstream calls per poll as 1, and all of them get the change', async () => {
    const one = stack.sse(CHANGES_SUB);
    const alone = await callsOverPolls(stack, 8);
    expect(alone).toEqual({ 'GET compute /servers/detail': 8 });

    const subs: Subscription[] = [one];
    for (let i = 0; i < 100; i++) subs.push(stack.sse(SERVER_SUB, { id: ids['win-01'] }));
    for (let i = 0; i < 99; i++) subs.push(stack.ws(CHANGES_SUB));
    // Every server(id) subscriber has its first event (from the watcher's cache, not a GET of its own).
    await Promise.all(subs.slice(1, 101).map((s) => s.next((r) => r.data?.server.status === 'ACTIVE')));
    expect(stack.gateway.live.stats()).toMatchObject({ subscriptions: 200, watchers: [expect.anything()] });

    const measuring = callsOverPolls(stack, 8);
    stack.sim.controls.changeServer(ids['win-01']!, { action: 'stop' });
    expect(await measuring).toEqual({ 'GET compute /servers/detail': 8 });
    await Promise.all(subs.slice(0, 101).map((s, i) =>
      s.next((r) => (i === 0 || i > 100 ? r.data?.serverChanges.server.status : r.data?.server.status) === 'SHUTOFF'),
    ));
    await Promise.all(subs.slice(101).map((s) => s.next((r) => r.data?.serverChanges.server.status === 'SHUTOFF')));
    for (const sub of subs) sub.dispose();
  }, 60_000);

  test('the watcher stops a while after its last subscriber left, and polls nothing more', async () => {
    const sub = stack.ws(CHANGES_SUB);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stack.gateway.live.stats().watchers).toHaveLength(1);
    sub.dispose();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.gateway.live.stats()).toEqual({ subscriptions: 0, watchers: [] });
    stack.sim.controls.resetLog();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stack.calls()).toEqual({});
  });
});

describe('limits', () => {
  test('per caller (client address in service-account mode) and in all: TOO_MANY_SUBSCRIPTIONS naming the limit', async () => {
    const stack = await startLiveStack({ env: { LIVE_MAX_SUBSCRIPTIONS_PER_CALLER: '2', LIVE_MAX_SUBSCRIPTIONS: '3' } });
    try {
      const a = stack.sse(CHANGES_SUB);
      const b = stack.ws(CHANGES_SUB);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const c = stack.sse(CHANGES_SUB);
      await c.done;
      expect(c.results[0].errors[0].extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'perCaller' });
      // Closing one frees its place.
      a.dispose();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const d = stack.sse(CHANGES_SUB);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(d.completed).toBe(false);
      expect(stack.gateway.live.stats().subscriptions).toBe(2);
      b.dispose();
      d.dispose();
    } finally {
      await stack.close();
    }
  });
});
