// Live events stay within their project, and a pass-through subscriber shares its project's watcher
// only while the upstream accepts its own token (as isolation.test.ts does for queries).

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LiveStack, type Subscription, startLiveStack } from '../helpers/live.js';

const TENANT_B = { tenantId: 'b7e4c1d09a2f4e6b8c3d5a7f9e1b2c4d', username: 'tenant-b@example.com', apiPassword: 'tenant-b-api-password' };
const CHANGES_SUB = 'subscription { serverChanges { kind server { id tenantId status keypair { name } } } }';
const SERVER_SUB = 'subscription($id: ID!) { server(id: $id) { id status } }';

let stack: LiveStack;
beforeAll(async () => {
  stack = await startLiveStack();
  stack.sim.controls.addAccount(TENANT_B);
  stack.sim.controls.addServers(3, { tenantId: TENANT_B.tenantId });
});
afterAll(() => stack.close());

async function issueToken(account: { tenantId: string; username: string; apiPassword: string }): Promise<string> {
  const body = await stack.gql('mutation($i: IssueTokenInput!) { issueToken(input: $i) { id } }', {
    i: { tenantId: account.tenantId, username: account.username, password: account.apiPassword },
  });
  return body.data.issueToken.id;
}

async function serverIdsOf(tenantId: string, token: string): Promise<string[]> {
  const body = await (await fetch(`${stack.sim.url}/compute/v2/${tenantId}/servers`, { headers: { 'x-auth-token': token } })).json();
  return (body as any).servers.map((s: any) => s.id);
}

const headersOf = (tenantId: string, token: string) => ({ 'X-Auth-Token': token, 'X-Tenant-Id': tenantId });
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('two projects', () => {
  test('never see each other\'s events, over SSE and WebSocket, in pass-through and service-account mode', async () => {
    const { sim } = stack;
    const tokenA = await issueToken({ tenantId: sim.tenantId, username: sim.username, apiPassword: sim.apiPassword });
    const tokenB = await issueToken(TENANT_B);
    const idsA = await serverIdsOf(sim.tenantId, tokenA);
    const idsB = await serverIdsOf(TENANT_B.tenantId, tokenB);

    stack.sim.controls.resetLog();
    const subs: [string, Subscription][] = [
      [sim.tenantId, stack.sse(CHANGES_SUB)],
      [sim.tenantId, stack.ws(CHANGES_SUB, {}, headersOf(sim.tenantId, tokenA))],
      [TENANT_B.tenantId, stack.sse(CHANGES_SUB, {}, headersOf(TENANT_B.tenantId, tokenB))],
      [TENANT_B.tenantId, stack.ws(CHANGES_SUB, {}, headersOf(TENANT_B.tenantId, tokenB))],
    ];
    // Tenant B asks for a server of tenant A by id: its watcher does not know it, and the upstream
    // does not show it to B's token.
    const foreign = stack.sse(SERVER_SUB, { id: idsA[0] }, headersOf(TENANT_B.tenantId, tokenB));
    await foreign.done;
    expect(foreign.results[0].errors[0].extensions.code).toBe('NOT_FOUND');
    await settle();
    // One proof per pass-through subscription (GET /servers?limit=1), counted apart from the polls.
    expect(stack.calls()['GET compute /servers']).toBe(4);

    for (const id of idsA.slice(0, 2)) stack.sim.controls.changeServer(id, { action: 'rename', name: `renamed-${id.slice(0, 4)}` });
    for (const id of idsB.slice(0, 2)) stack.sim.controls.changeServer(id, { action: 'stop' }, TENANT_B.tenantId);
    for (const [tenantId, sub] of subs) {
      const own = tenantId === sim.tenantId ? idsA : idsB;
      await sub.next((r) => r.data?.serverChanges.server.id === own[1]);
    }
    await settle();
    for (const [tenantId, sub] of subs) {
      const own = new Set(tenantId === sim.tenantId ? idsA : idsB);
      const seen = sub.results.map((r) => r.data.serverChanges.server);
      expect(seen.length).toBeGreaterThan(0);
      for (const server of seen) {
        expect(own.has(server.id)).toBe(true);
        expect(server.tenantId).toBe(tenantId);
      }
    }
    expect(stack.gateway.live.stats().watchers.map((w) => w.key).sort()).toEqual([`KR1/${sim.tenantId}`, `KR1/${TENANT_B.tenantId}`].sort());
    for (const [, sub] of subs) sub.dispose();
  });

  test('a forged token gets UNAUTHENTICATED and joins no watcher', async () => {
    const sub = stack.ws(CHANGES_SUB, {}, headersOf(TENANT_B.tenantId, 'forged-token-0000'));
    await sub.done;
    expect(sub.results[0].errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(sub.results)).not.toContain('forged-token-0000');
  });
});

describe('a revoked token', () => {
  test('ends only its own subscription, with UNAUTHENTICATED; the other subscriber of the project keeps receiving', async () => {
    const token1 = await issueToken(TENANT_B);
    const token2 = await issueToken(TENANT_B);
    const idsB = await serverIdsOf(TENANT_B.tenantId, token2);
    const first = stack.sse(CHANGES_SUB, {}, headersOf(TENANT_B.tenantId, token1));
    const second = stack.ws(CHANGES_SUB, {}, headersOf(TENANT_B.tenantId, token2));
    await settle();

    stack.sim.controls.revokeToken(token1);
    await first.done;
    expect(first.results.at(-1).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(second.completed).toBe(false);

    stack.sim.controls.changeServer(idsB[2]!, { action: 'stop' }, TENANT_B.tenantId);
    await second.next((r) => r.data?.serverChanges.server.id === idsB[2] && r.data.serverChanges.server.status === 'SHUTOFF');
    expect(second.completed).toBe(false);
    second.dispose();
  });
});
