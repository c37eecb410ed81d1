// Operation limits, each refused with a clear message and a code before any upstream call: depth,
// aliases, directives, tokens, cost (lists counted by their page size), body size, batch size;
// persisted-only mode; introspection and GraphiQL off, and off by default in production.
// (`first` over the page limit is BAD_USER_INPUT: see failures.test.ts.)

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ASSUMED_LIST_SIZE, MUTATION_COST, operationCost } from '../../src/limits.js';
import { parse } from '../../src/schema/graphql.js';
import { schema } from '../../src/schema/index.js';
import { type GraphQLBody, type Stack, startStack, withStack } from '../helpers/gateway.js';

let limited: Stack;
beforeAll(async () => {
  limited = await startStack({
    env: { LIMIT_MAX_DEPTH: '4', LIMIT_MAX_ALIASES: '2', LIMIT_MAX_TOKENS: '400', LIMIT_MAX_COST: '600', LIMIT_MAX_BATCH: '3' },
  });
  await limited.gql('{ flavors { id } }'); // the token, so that calls() below counts only the query's own calls
});
afterAll(() => limited.close());
beforeEach(() => limited.sim.controls.resetLog());

describe('operation limits: QUERY_TOO_COMPLEX naming the limit, before any upstream call', () => {
  test.each([
    ['depth', '{ servers { edges { node { flavor { name } } } } }', /^Query depth limit of 4 exceeded, found 5\.$/],
    ['aliases', '{ a: keypairs { name } b: keypairs { name } c: keypairs { name } }', /^Aliases limit of 2 exceeded, found 3\.$/],
    ['directives', `{ keypairs { name ${'@include(if: true) '.repeat(51)} } }`, /Directives limit of 50 exceeded/],
    ['tokens', `{ keypairs { ${'name '.repeat(400)} } }`, /^Token limit of 400 exceeded\.$/],
    ['cost', '{ servers(first: 300) { edges { node { name } } } }', /^Query cost limit of 600 exceeded, found 601: lists count by their page size/],
  ])('%s', async (limit, query, message) => {
    const body = await limited.gql(query);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code: 'QUERY_TOO_COMPLEX', limit } });
    expect(limited.calls()).toEqual({});
  });
});

describe('cost: lists count by their page size', () => {
  const costOf = (query: string, variables: Record<string, unknown> = {}, maxPageSize = 1000) =>
    operationCost(schema, parse(query), undefined, variables, maxPageSize);

  test('the documented examples: objects count 1, scalars 0, a list times its size', () => {
    expect(costOf('{ servers(first: 100) { edges { node { flavor { id } image { id } keypair { name } } } } }')).toBe(501);
    expect(costOf('{ servers(first: 1000) { edges { node { volumeAttachments { volume { id } } } } } }')).toBe(22_001);
  });

  test('first comes from a literal, a variable or its default, else the resolver default (20), at most the page limit', () => {
    const page = 'query($n: Int = 7) { servers(first: $n) { edges { node { id } } } }';
    expect(costOf(page)).toBe(1 + 7 * 2);
    expect(costOf(page, { n: 300 })).toBe(1 + 300 * 2);
    expect(costOf(page, { n: 5000 })).toBe(1 + 1000 * 2);
    expect(costOf(page, { n: 5000 }, 50)).toBe(1 + 50 * 2);
    expect(costOf(page, { n: 'many' })).toBe(1 + 20 * 2);
    expect(costOf('{ servers { edges { node { id } } } }')).toBe(1 + 20 * 2);
  });

  test('volumeAttachments(limit:) and _entities(representations:) size their lists; other lists are assumed', () => {
    const id = '8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11';
    expect(costOf(`{ server(id: "${id}") { volumeAttachments(limit: 3) { id } } }`)).toBe(1 + 3);
    expect(costOf(`{ server(id: "${id}") { volumeAttachments { id } } }`)).toBe(1 + ASSUMED_LIST_SIZE);
    const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Server { id } } }';
    expect(costOf(entities, { r: [{ __typename: 'Server', id }, { __typename: 'Server', id }] })).toBe(2);
    expect(costOf('{ flavors { id } keypairs { name } networks { id } }')).toBe(50 + 100 + ASSUMED_LIST_SIZE);
  });

  test('introspection and __typename are free; mutation fields cost MUTATION_COST more; fragments count', () => {
    expect(costOf('{ __typename __schema { types { fields { name } } } }')).toBe(0);
    expect(costOf('mutation { deleteKeypair(name: "k") }')).toBe(MUTATION_COST);
    expect(costOf('{ keypairs { ...K } } fragment K on Keypair { name }')).toBe(100);
  });

  test('the same document passes or not by its variables (no cached verdict)', async () => {
    const page = 'query($n: Int) { servers(first: $n) { edges { node { name } } } }';
    expect((await limited.gql(page, { n: 6 })).errors).toBeUndefined();
    const refused = await limited.gql(page, { n: 400 });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect((await limited.gql(page, { n: 6 })).errors).toBeUndefined();
    expect(limited.calls()).toEqual({ 'GET compute /servers': 2 });
  });
});

describe('HTTP limits', () => {
  test('a body over LIMIT_MAX_BODY_BYTES is 413 REQUEST_ENTITY_TOO_LARGE', async () => {
    const response = await limited.post({ query: '{ keypairs { name } }', variables: { padding: 'x'.repeat(limited.config.limits.maxBodyBytes) } });
    expect(response.status).toBe(413);
    expect(((await response.json()) as GraphQLBody).errors?.[0]?.extensions?.code).toBe('REQUEST_ENTITY_TOO_LARGE');
    expect(limited.calls()).toEqual({});
  });

  test('batches up to LIMIT_MAX_BATCH operations; more are refused whole', async () => {
    const three = await limited.post([{ query: '{ a: __typename }' }, { query: '{ b: __typename }' }, { query: '{ c: __typename }' }]);
    expect(await three.json()).toEqual([{ data: { a: 'Query' } }, { data: { b: 'Query' } }, { data: { c: 'Query' } }]);
    const four = await limited.post(Array.from({ length: 4 }, () => ({ query: '{ keypairs { name } }' })));
    expect(four.status).toBe(413);
    const body = (await four.json()) as GraphQLBody;
    expect(body.errors?.[0]).toMatchObject({ message: 'Batching is limited to 3 operations per request.', extensions: { code: 'BAD_REQUEST' } });
    expect(limited.calls()).toEqual({});
  });
});

describe('persisted operations, introspection, GraphiQL', () => {
  test('with PERSISTED_OPERATIONS_FILE only the listed operations run', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'persisted-')), 'operations.json');
    writeFileSync(file, JSON.stringify({ zones: '{ availabilityZones { name } }' }));
    await withStack({ env: { PERSISTED_OPERATIONS_FILE: file } }, async (persisted) => {
      const listed = await persisted.post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'zones' } } });
      expect(((await listed.json()) as GraphQLBody).data.availabilityZones).toHaveLength(2);
      const refusals = [
        [{ query: '{ keypairs { name } }' }, 'PERSISTED_QUERY_ONLY', /persisted operations only/],
        [{ extensions: { persistedQuery: { version: 1, sha256Hash: 'unknown' } } }, 'PERSISTED_QUERY_NOT_FOUND', /No persisted operation/],
        // An inherited property name is no listed operation either.
        [{ extensions: { persistedQuery: { version: 1, sha256Hash: 'constructor' } } }, 'PERSISTED_QUERY_NOT_FOUND', /No persisted operation/],
      ] as const;
      for (const [request, code, message] of refusals) {
        const response = await persisted.post(request);
        expect(response.status).toBe(400);
        expect(((await response.json()) as GraphQLBody).errors?.[0]).toMatchObject({ message: expect.stringMatching(message), extensions: { code } });
      }
      expect(persisted.calls()).toEqual({ 'GET compute /os-availability-zone': 1 });
    });
  });

  test('INTROSPECTION=false refuses __schema and __type, and hides field suggestions', async () => {
    await withStack({ env: { INTROSPECTION: 'false' } }, async (closed) => {
      for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Server") { name } }']) {
        const body = await closed.gql(query);
        expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/introspection has been disabled/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      }
      expect((await closed.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
      const typo = await closed.gql('{ flavorz { id } }');
      expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    });
  });

  test('NODE_ENV=production turns GraphiQL and introspection off unless asked for', async () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ graphiql: false, introspection: false });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: 'true' })).toMatchObject({ graphiql: true, introspection: true });
    expect(loadConfig({})).toMatchObject({ graphiql: true, introspection: true });
    await withStack({ env: { NODE_ENV: 'production' } }, async (production) => {
      const page = await production.gateway.yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
      expect((await production.gql('{ __schema { queryType { name } } }')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });
});
