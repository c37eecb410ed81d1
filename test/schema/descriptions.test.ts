// Every type, field, argument, input field and enum value carries a description (CONTRIBUTING.md),
// except what graphql and the federation spec define.

import type { GraphQLSchema } from 'graphql';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
} from '../../src/schema/graphql.js';
import { expect, test } from 'vitest';
import { schema } from '../../src/schema/index.js';

// What toSubGraphSchema adds: the federation spec's own types and root fields.
const FEDERATION_TYPES = new Set(['_Any', '_Entity', '_Service', 'link__Import', 'link__Purpose', 'federation__FieldSet', 'FieldSet']);
const FEDERATION_FIELDS = new Set(['Query._entities', 'Query._service']);

function undescribed(target: GraphQLSchema): string[] {
  const missing: string[] = [];
  const need = (where: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(where);
  };
  for (const type of Object.values(target.getTypeMap())) {
    if (type.name.startsWith('__') || FEDERATION_TYPES.has(type.name) || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    need(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const where = `${type.name}.${field.name}`;
        if (FEDERATION_FIELDS.has(where)) continue;
        need(where, field.description);
        for (const arg of field.args) need(`${where}(${arg.name})`, arg.description);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) need(`${type.name}.${field.name}`, field.description);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) need(`${type.name}.${value.name}`, value.description);
    }
    if (isUnionType(type)) need(type.name, type.description);
  }
  return missing;
}

test('every type, field, argument, input field and enum value is described', () => {
  expect(undescribed(schema)).toEqual([]);
});

test('the walk reaches fields, arguments and enum values', () => {
  const flavors = schema.getQueryType()!.getFields().flavors!;
  const original = flavors.args[0]!.description;
  flavors.args[0]!.description = '';
  try {
    expect(undescribed(schema)).toEqual(['Query.flavors(minDisk)']);
  } finally {
    flavors.args[0]!.description = original;
  }
});
