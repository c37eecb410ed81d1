// A server's addresses live outside Nova's instance row: associating a floating IP does not move the
// server's `updated`, so no `changes-since` delta shows it. The gateway's own network mutations ask the
// watcher to read the server again; with the full relist an hour away, only that can bring the event.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { type LiveStack, startLiveStack } from '../helpers/live.js';

let stack: LiveStack;

beforeAll(async () => {
  stack = await startLiveStack({ env: { LIVE_RELIST_INTERVAL_MS: '3600000' } });
});
afterAll(() => stack.close());

const ADDRESSES_SUB =
  'subscription($f: ServerChangeFilter) { serverChanges(filter: $f) { kind changedFields server { id addresses { type address } } } }';

test('associating and disassociating a floating IP reach serverChanges as address changes', async () => {
  const servers = (await stack.gql('{ servers(first: 50) { edges { node { id name } } } }')).data.servers.edges.map((e: any) => e.node);
  const id = servers.find((s: any) => s.name === 'db-01').id;
  const sub = stack.ws(ADDRESSES_SUB, { f: { ids: [id] } });
  await new Promise((resolve) => setTimeout(resolve, 200));

  const created = await stack.gql('mutation { createFloatingIp { id address } }');
  expect(created.errors).toBeUndefined();
  const { id: floatingIpId, address } = created.data.createFloatingIp;
  const associated = await stack.gql('mutation($f: ID!, $s: ID!) { associateFloatingIp(id: $f, serverId: $s) { address } }', { f: floatingIpId, s: id });
  expect(associated.errors).toBeUndefined();
  const shown = await sub.next((r) => r.data?.serverChanges.server.addresses.some((a: any) => a.type === 'FLOATING' && a.address === address));
  expect(shown.data.serverChanges).toMatchObject({ kind: 'UPDATED', changedFields: expect.arrayContaining(['addresses']) });

  const detached = await stack.gql('mutation($f: ID!) { disassociateFloatingIp(id: $f) { status } }', { f: floatingIpId });
  expect(detached.errors).toBeUndefined();
  await sub.next((r) => !r.data?.serverChanges.server.addresses.some((a: any) => a.type === 'FLOATING'));
  sub.dispose();
});
