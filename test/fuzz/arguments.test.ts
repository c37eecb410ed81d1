// Property-based fuzzing of every argument of every query and mutation, derived from the schema
// itself (a new field is fuzzed without a change here). Each run sends one field with generated
// arguments, as variables (their coercion) or inlined as literals (parsing and validation): strings
// with control characters, unicode and 70,000 characters, numbers negative, huge and fractional,
// nulls, missing required values, unknown input fields, values of the wrong type, and real ids of the
// simulator so that runs also reach the upstream. Every answer must be well formed (well-formed.ts).
// The simulator is reset before each field: mutations create, stop and delete.

import fc from 'fast-check';
import type { GraphQLArgument, GraphQLField, GraphQLInputType, GraphQLOutputType } from 'graphql';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from '../../src/schema/graphql.js';
import { schema } from '../../src/schema/index.js';
import { type Stack, startStack } from '../helpers/gateway.js';
import { RunCounts, wellFormed } from './well-formed.js';

const RUNS_PER_FIELD = Number(process.env.FUZZ_RUNS ?? 80);
/** A new seed each run (fuzzing), printed with the counts; FUZZ_SEED replays one. */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

let stack: Stack;
const counts = new RunCounts();
/** Real ids and names of the simulator's demo data, mixed into the generated values. */
let known: string[] = [];

beforeAll(async () => {
  stack = await startStack({ buildDelayMs: 0 });
  const body = await stack.gql(
    '{ servers { edges { node { id name image { id } flavor { id } keyName volumeAttachments { volumeId } } } } networks { id subnets { id } } }',
  );
  const nodes = body.data.servers.edges.map((e: any) => e.node);
  known = [
    ...nodes.flatMap((n: any) => [n.id, n.name, n.image?.id, n.flavor?.id, n.keyName, ...n.volumeAttachments.map((a: any) => a.volumeId)]),
    ...body.data.networks.flatMap((n: any) => [n.id, ...n.subnets.map((s: any) => s.id)]),
  ].filter((value): value is string => typeof value === 'string');
});
afterAll(async () => {
  counts.print(`argument fuzzing (FUZZ_SEED=${SEED})`);
  await stack.close();
});

// ---- values ----------------------------------------------------------------------------------------

const LONG = 'x'.repeat(70_000);
const strings = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '  padded ', LONG, 'a/b', '../..', '%2e%2e', 'in:a,b', 'x'.repeat(256), '\u0000', '\u202e', '😀'.repeat(100)) },
    { weight: 1, arbitrary: fc.uuid() },
  );
const integers = () =>
  fc.oneof(
    fc.integer({ min: -5, max: 1100 }),
    fc.integer(),
    fc.constantFrom(0, -1, 1000, 1001, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1.5, -0.0001, 1e308),
  );
const SCALARS: Record<string, () => fc.Arbitrary<unknown>> = {
  String: strings,
  // Mostly real ids, so that runs get past validation to the upstream and its answers.
  ID: () => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 2, arbitrary: strings() }, { weight: 1, arbitrary: fc.integer() }),
  Int: integers,
  Float: () => fc.oneof(integers(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  Boolean: () => fc.boolean(),
  DateTime: () => fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), strings(), fc.constantFrom('2020-02-30T00:00:00Z', '2024-01-31T09:00:00+09:00')),
  _Any: () =>
    fc.oneof(
      fc.record({ __typename: fc.constantFrom('Server', 'Flavor', 'Image', 'Keypair', 'Volume', 'Nope', ''), id: strings(), name: strings() }, { requiredKeys: ['__typename'] }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
};

/** Any JSON: the wrong type for whatever the schema expects. */
const anything = () => fc.jsonValue({ maxDepth: 2 });

function valueOf(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const nullable = getNullableType(type) as GraphQLInputType;
  const inner = valueOfNullable(nullable, depth);
  if (isNonNullType(type)) return fc.oneof({ weight: 12, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anything() });
  return fc.oneof({ weight: 8, arbitrary: inner }, { weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anything() });
}

function valueOfNullable(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) {
    const item = valueOf(type.ofType, depth + 1);
    // A single value is a list of one (input coercion).
    return fc.oneof({ weight: 4, arbitrary: fc.array(item, { maxLength: depth > 1 ? 2 : 4 }) }, { weight: 1, arbitrary: item });
  }
  if (isEnumType(type)) return fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.name)), fc.string({ maxLength: 12 }));
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const record = Object.fromEntries(fields.map((field) => [field.name, valueOf(field.type, depth + 1)]));
    const required = fields.filter((field) => isNonNullType(field.type)).map((field) => field.name);
    return fc.oneof(
      { weight: 6, arbitrary: fc.record(record, { requiredKeys: required }) },
      // Required fields missing, an unknown field added.
      { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.record(record, { requiredKeys: required }).map((value) => ({ ...value, unknownField: 1 })) },
    );
  }
  const scalar = isScalarType(type) ? SCALARS[type.name] : undefined;
  if (scalar === undefined) throw new Error(`no generator for ${String(type)}: add one to SCALARS`);
  return scalar();
}

// ---- operations --------------------------------------------------------------------------------------

/** Every leaf of the result, relations included, to a depth that reaches a server's relations. */
function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isUnionType(named)) return '{ __typename }';
  if (!isObjectType(named)) return '';
  if (depth === 0) return '{ __typename }';
  const fields = Object.values(named.getFields()).filter((field) => !field.args.some((arg) => isNonNullType(arg.type)));
  return `{ __typename ${fields.map((field) => `${field.name} ${selection(field.type, depth - 1)}`).join(' ')} }`;
}

/** A GraphQL literal for `value`, or undefined when it has none (an object key that is no name). */
function literal(value: unknown): string | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value.map(literal);
    return items.includes(undefined) ? undefined : `[${items.join(', ')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, literal(item)] as const);
  if (entries.some(([key, item]) => !/^[_A-Za-z][_0-9A-Za-z]*$/.test(key) || item === undefined)) return undefined;
  return `{ ${entries.map(([key, item]) => `${key}: ${item}`).join(', ')} }`;
}

function operation(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, values: Record<string, unknown>, inline: boolean) {
  const args = field.args.filter((arg) => values[arg.name] !== undefined);
  const selected = selection(field.type, 4);
  const literals = inline ? args.map((arg) => [arg, literal(values[arg.name])] as const) : [];
  if (inline && literals.every(([, text]) => text !== undefined)) {
    const list = literals.map(([arg, text]) => `${arg.name}: ${text}`).join(', ');
    return { query: `${kind} { ${field.name}${list ? `(${list})` : ''} ${selected} }` };
  }
  const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const uses = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  return {
    query: `${kind} Fuzz${definitions ? `(${definitions})` : ''} { ${field.name}${uses ? `(${uses})` : ''} ${selected} }`,
    variables: Object.fromEntries(args.map((arg) => [arg.name, values[arg.name]])),
  };
}

function argumentsOf(args: readonly GraphQLArgument[]): fc.Arbitrary<Record<string, unknown>> {
  const record = Object.fromEntries(args.map((arg) => [arg.name, valueOf(arg.type)]));
  // Optional arguments may be absent; required ones are absent only sometimes (a refused request).
  const required = args.filter((arg) => isNonNullType(arg.type)).map((arg) => arg.name);
  return fc.oneof({ weight: 9, arbitrary: fc.record(record, { requiredKeys: required }) }, { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) });
}

const roots = [
  ['query', schema.getQueryType()!],
  ['mutation', schema.getMutationType()!],
] as const;
const fields = roots.flatMap(([kind, type]) => Object.values(type.getFields()).map((field) => [kind, field] as const));

describe('every argument of every query and mutation', () => {
  test.each(fields.map(([kind, field]) => [`${kind} ${field.name}`, kind, field] as const))('%s', async (name, kind, field) => {
    stack.sim.controls.reset();
    await fc.assert(
      fc.asyncProperty(argumentsOf(field.args), fc.boolean(), async (values, inline) => {
        const body = operation(kind, field, values, inline);
        const context = `${name} ${JSON.stringify(body).slice(0, 400)}`;
        counts.add(name, await wellFormed(await stack.post(body), stack, context));
      }),
      { numRuns: RUNS_PER_FIELD, seed: SEED, endOnFailure: true },
    );
  });
});
