// The soak's traffic: query workers that pick weighted random reads, and flows that walk servers and
// keypairs through their lives with mutations (create, stop, start, attach, detach, delete). Every
// GraphQL request is recorded with its latency and its error codes.

import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphqlAnswer, GraphqlClient } from './graphql-client.js';

export interface Outcome {
  op: string;
  ms: number;
  /** Empty when the request succeeded; else each error's extensions.code (or HTTP_<status>). */
  codes: string[];
}

export class Recorder {
  readonly outcomes: Outcome[] = [];

  async run<T>(client: GraphqlClient, op: string, query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer<T>> {
    const started = performance.now();
    let answer: GraphqlAnswer<T>;
    try {
      answer = await client.post<T>(query, variables);
    } catch (error) {
      this.outcomes.push({ op, ms: performance.now() - started, codes: ['CLIENT_ERROR'] });
      return { status: 0, text: String(error) };
    }
    const codes = (answer.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
    if (codes.length === 0 && answer.status !== 200) codes.push(`HTTP_${answer.status}`);
    this.outcomes.push({ op, ms: performance.now() - started, codes });
    return answer;
  }
}

export interface SoakFacts {
  serverIds: string[];
  flavorId: string;
  imageId: string;
  networkId: string;
  keyName: string;
  spareVolumes: { id: string; zone: string }[];
}

const READS: { op: string; weight: number; query: string; variables?: (facts: SoakFacts) => Record<string, unknown> }[] = [
  {
    op: 'query servers page',
    weight: 4,
    query: 'query { servers(first: 50) { edges { node { id name status flavor { name vcpus ram } image { name } keypair { name } } } pageInfo { hasNextPage endCursor } } }',
  },
  {
    op: 'query server',
    weight: 3,
    query: 'query ($id: ID!) { server(id: $id) { id name status addresses { address } volumeAttachments { device volume { size status } } } }',
    variables: (facts) => ({ id: facts.serverIds[Math.floor(Math.random() * facts.serverIds.length)] }),
  },
  { op: 'query flavors', weight: 2, query: 'query { flavors { id name vcpus ram disk } }' },
  { op: 'query keypairs', weight: 1, query: 'query { keypairs { name fingerprint } }' },
];
const TOTAL_WEIGHT = READS.reduce((sum, r) => sum + r.weight, 0);

export async function readWorker(client: GraphqlClient, recorder: Recorder, facts: SoakFacts, until: number): Promise<void> {
  while (Date.now() < until) {
    let pick = Math.random() * TOTAL_WEIGHT;
    const read = READS.find((r) => (pick -= r.weight) < 0) ?? READS[0]!;
    await recorder.run(client, read.op, read.query, read.variables?.(facts));
  }
}

/** Runs a mutation until it succeeds or `tries` are used up (injected faults are expected). */
async function mutate(client: GraphqlClient, recorder: Recorder, op: string, query: string, variables: Record<string, unknown>, tries = 5): Promise<GraphqlAnswer<Record<string, unknown>> | undefined> {
  for (let attempt = 1; attempt <= tries; attempt++) {
    const answer = await recorder.run<Record<string, unknown>>(client, op, query, variables);
    if (answer.status === 200 && !answer.errors?.length && answer.data) return answer;
    // A mutation that went through upstream but failed on its follow-up read may report CONFLICT on
    // retry: the state is where we wanted it.
    if (answer.errors?.some((e) => e.extensions?.code === 'CONFLICT' || e.extensions?.code === 'NOT_FOUND')) return undefined;
    await sleep(100 * attempt);
  }
  return undefined;
}

/** Polls the server until it has `status` (at most 30 s: the simulator's transitions take buildDelayMs). */
async function waitForStatus(client: GraphqlClient, recorder: Recorder, id: string, status: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const answer = await recorder.run<{ server: { status: string } | null }>(client, 'query server (poll)', 'query ($id: ID!) { server(id: $id) { status } }', { id });
    if (answer.data?.server?.status === status) return true;
    if (answer.data && answer.data.server === null) return false;
    await sleep(150);
  }
  return false;
}

const CREATE_SERVER = 'mutation ($input: CreateServerInput!) { createServer(input: $input) { server { id status } } }';
const SERVER_ACTION = (name: string) => `mutation ($id: ID!) { ${name}(id: $id) { id status } }`;
const ATTACH = 'mutation ($serverId: ID!, $volumeId: ID!) { attachVolume(serverId: $serverId, volumeId: $volumeId) { id device } }';
const DETACH = 'mutation ($serverId: ID!, $volumeId: ID!) { detachVolume(serverId: $serverId, volumeId: $volumeId) }';

/** create -> ACTIVE -> stop -> SHUTOFF -> start -> ACTIVE -> attach/detach -> delete, until `until`. */
export async function serverFlow(client: GraphqlClient, recorder: Recorder, facts: SoakFacts, flow: number, until: number): Promise<void> {
  const volume = facts.spareVolumes[flow];
  for (let n = 1; Date.now() < until; n++) {
    const input = {
      name: `soak-${flow}-${n}`,
      imageId: facts.imageId,
      flavorId: facts.flavorId,
      networks: [{ networkId: facts.networkId }],
      keyName: facts.keyName,
      ...(volume?.zone ? { availabilityZone: volume.zone } : {}),
    };
    const created = await mutate(client, recorder, 'mutation createServer', CREATE_SERVER, { input });
    const id = (created?.data?.createServer as { server?: { id: string } } | undefined)?.server?.id;
    if (!id) continue;
    if (await waitForStatus(client, recorder, id, 'ACTIVE')) {
      await mutate(client, recorder, 'mutation stopServer', SERVER_ACTION('stopServer'), { id });
      if (await waitForStatus(client, recorder, id, 'SHUTOFF')) {
        await mutate(client, recorder, 'mutation startServer', SERVER_ACTION('startServer'), { id });
        await waitForStatus(client, recorder, id, 'ACTIVE');
      }
      if (volume) {
        await mutate(client, recorder, 'mutation attachVolume', ATTACH, { serverId: id, volumeId: volume.id });
        await sleep(300);
        await mutate(client, recorder, 'mutation detachVolume', DETACH, { serverId: id, volumeId: volume.id });
        await sleep(300);
      }
    }
    // Always try to delete: the tenant's instance quota is small.
    await mutate(client, recorder, 'mutation deleteServer', 'mutation ($id: ID!) { deleteServer(id: $id) }', { id }, 10);
  }
}

export async function keypairFlow(client: GraphqlClient, recorder: Recorder, flow: number, until: number): Promise<void> {
  for (let n = 1; Date.now() < until; n++) {
    const name = `soak-key-${flow}-${n}`;
    const created = await mutate(client, recorder, 'mutation createKeypair', 'mutation ($input: CreateKeypairInput!) { createKeypair(input: $input) { keypair { name fingerprint } privateKey } }', { input: { name } });
    if (created) await mutate(client, recorder, 'mutation deleteKeypair', 'mutation ($name: String!) { deleteKeypair(name: $name) }', { name }, 10);
  }
}
