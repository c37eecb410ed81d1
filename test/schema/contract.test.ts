// The served schema contains the whole public contract: every type, field, argument, input field and
// enum value of each file in contract/ (the base contract and each addition the gateway serves), with
// compatible types. Output positions may be stricter than the
// contract (non-null where it says nullable); input positions may be looser; nothing new is required.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildASTSchema,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLSchema,
  type GraphQLType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
} from '../../src/schema/graphql.js';
import { describe, expect, test } from 'vitest';
import { printSchemaFile } from '../../src/schema/print.js';
import { schema } from '../../src/schema/index.js';

const contractDir = fileURLToPath(new URL('./contract/', import.meta.url));
const contractFiles = readdirSync(contractDir).filter((name) => name.endsWith('.graphql')).sort();
// The additions extend the base contract's types (`extend type Server`), so they are read as one document.
const contractSdl = contractFiles.map((name) => readFileSync(contractDir + name, 'utf8')).join('\n');
const contract = buildASTSchema(parse(contractSdl), { assumeValidSDL: true });

/** Can a value of `served` stand where the contract promises `promised` (output, covariant)? */
function outputCompatible(served: GraphQLType, promised: GraphQLType): boolean {
  if (isNonNullType(served)) return outputCompatible(served.ofType, isNonNullType(promised) ? promised.ofType : promised);
  if (isNonNullType(promised)) return false;
  if (isListType(served) || isListType(promised)) {
    return isListType(served) && isListType(promised) && outputCompatible(served.ofType, promised.ofType);
  }
  return served.name === promised.name;
}

/** Does the served input accept every value the contract allows (input, contravariant)? */
function inputCompatible(served: GraphQLType, promised: GraphQLType): boolean {
  return outputCompatible(promised, served);
}

function checkInputs(
  where: string,
  served: readonly (GraphQLArgument | GraphQLInputField)[],
  promised: readonly (GraphQLArgument | GraphQLInputField)[],
): string[] {
  const problems: string[] = [];
  for (const input of promised) {
    const match = served.find((s) => s.name === input.name);
    if (!match) problems.push(`${where}(${input.name}) is missing`);
    else if (!inputCompatible(match.type, input.type)) {
      problems.push(`${where}(${input.name}): served ${String(match.type)}, contract ${String(input.type)}`);
    }
  }
  for (const extra of served.filter((s) => !promised.some((p) => p.name === s.name))) {
    if (isNonNullType(extra.type) && extra.defaultValue === undefined) {
      problems.push(`${where}(${extra.name}) is required but not in the contract`);
    }
  }
  return problems;
}

function contractProblems(served: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const promised of Object.values(contract.getTypeMap())) {
    if (promised.name.startsWith('__')) continue;
    const actual = served.getType(promised.name);
    if (!actual) {
      problems.push(`type ${promised.name} is missing`);
      continue;
    }
    if (actual.constructor !== promised.constructor) {
      problems.push(`type ${promised.name} is a ${actual.constructor.name}, contract says ${promised.constructor.name}`);
      continue;
    }
    if (isObjectType(promised) && isObjectType(actual)) {
      const fields = actual.getFields();
      for (const field of Object.values(promised.getFields())) {
        const match = fields[field.name];
        if (!match) {
          problems.push(`${promised.name}.${field.name} is missing`);
          continue;
        }
        if (!outputCompatible(match.type, field.type)) {
          problems.push(`${promised.name}.${field.name}: served ${String(match.type)}, contract ${String(field.type)}`);
        }
        problems.push(...checkInputs(`${promised.name}.${field.name}`, match.args, field.args));
      }
    }
    if (isInputObjectType(promised) && isInputObjectType(actual)) {
      problems.push(...checkInputs(promised.name, Object.values(actual.getFields()), Object.values(promised.getFields())));
    }
    if (isEnumType(promised) && isEnumType(actual)) {
      for (const value of promised.getValues()) {
        if (!actual.getValue(value.name)) problems.push(`${promised.name}.${value.name} is missing`);
      }
    }
  }
  return problems;
}

/** `@key(fields: ...)` per type name, from an SDL. */
function keysOf(sdl: string): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    for (const directive of definition.directives ?? []) {
      const fields = directive.arguments?.find((a) => a.name.value === 'fields')?.value;
      if (directive.name.value === 'key' && fields?.kind === Kind.STRING) {
        (keys[definition.name.value] ??= []).push(fields.value);
      }
    }
  }
  return keys;
}

describe('the served schema against the contract', () => {
  test('reads the base contract', () => {
    expect(contractFiles).toContain('schema-contract.graphql');
  });

  test('contains every type, field, argument, input field and enum value with a compatible type', () => {
    expect(contractProblems(schema)).toEqual([]);
  });

  test('carries the contract keys, plus Volume keyed by id', () => {
    const served = keysOf(printSchemaFile());
    expect(served).toMatchObject(keysOf(contractSdl));
    expect(served.Volume).toEqual(['id']);
  });

  test('the checker itself notices a missing field, a looser output and a stricter input', () => {
    const broken = buildASTSchema(
      parse(
        contractSdl
          .replace('  taskState: String\n', '')
          .replace('  name: String!\n  status: ServerStatus!', '  name: String\n  status: ServerStatus!')
          .replace('server(id: ID!): Server', 'server(id: ID!, region: String!): Server'),
      ),
      { assumeValidSDL: true },
    );
    expect(contractProblems(broken)).toEqual(
      expect.arrayContaining([
        'Server.taskState is missing',
        'Server.name: served String, contract String!',
        'Query.server(region) is required but not in the contract',
      ]),
    );
  });
});
