// What the loadable types share: each is a federation entity and has a by-key query, and both go
// through the type's request loader, so `_entities` and `image(id)` batch like any relation; and the
// check that keeps `_entities` from failing on a representation it cannot resolve.

import type { ImplementableLoadableObjectRef } from '@pothos/plugin-dataloader';
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { z } from 'zod';
import { builder, type Context } from './builder.js';
import { badUserInput } from './errors.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
export type LoadableRef<Shape> = ImplementableLoadableObjectRef<Types, string | Shape, Shape, string, string>;

/** The key field of each entity type and its rule, for checking `_entities` representations. */
const entityKeys = new Map<string, { key: 'id' | 'name'; validate: z.ZodType<string> }>();

/**
 * `@key(fields: "<key>")`, with representations resolved in one loader batch per type; `validate` is
 * the key's rule, the one its by-key query applies (a representation is refused without a call).
 */
export function loadableEntity<Shape extends object>(ref: LoadableRef<Shape>, key: 'id' | 'name', validate: z.ZodType<string>): void {
  entityKeys.set(ref.name, { key, validate });
  builder.asEntity(ref, {
    // `selection` is typed by its literal, so each key is spelled out.
    key: key === 'id' ? builder.selection<{ id: string }>('id') : builder.selection<{ name: string }>('name'),
    resolveReference: (representation, ctx) =>
      ref.getDataloader(ctx).load('id' in representation ? representation.id : representation.name),
  });
}

/**
 * `<field>(id: ID!): <Type>`, null when the upstream does not know the id. `prefetch` may start calls
 * the selection will need that take only the id, alongside the load instead of after it.
 */
export function queryById<Shape extends object>(
  field: string,
  ref: LoadableRef<Shape>,
  descriptions: { field: string; id: string },
  validate?: z.ZodType<string>,
  prefetch?: (id: string, ctx: Context, info: GraphQLResolveInfo) => void,
): void {
  builder.queryField(field, (t) =>
    t.field({
      type: ref,
      nullable: true,
      description: descriptions.field,
      args: { id: t.arg.id({ required: true, description: descriptions.id, ...(validate ? { validate } : {}) }) },
      // Returning the key makes the dataloader plugin load it through `ref` (the cast only tells TS so).
      resolve: (_root, { id }, ctx, info) => {
        prefetch?.(String(id), ctx, info);
        return String(id) as string & Shape;
      },
    }),
  );
}

/**
 * Makes `_entities` refuse a representation it cannot resolve (not an object, an unknown __typename, no
 * key) with BAD_USER_INPUT naming it. Apollo's resolver would throw a plain Error, or the loader a
 * TypeError: both masked as if they were our bugs.
 */
export function checkRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const resolve = field?.resolve;
  if (field === undefined || resolve === undefined) return schema;
  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    representations.forEach((representation, index) => {
      const problem = representationProblem(representation);
      if (problem !== undefined) throw badUserInput(`representations.${index}`, problem);
    });
    return resolve(source, args, context, info);
  };
  return schema;
}

function representationProblem(representation: unknown): string | undefined {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) return 'must be an object';
  const { __typename: typename } = representation as Record<string, unknown>;
  const entity = typeof typename === 'string' ? entityKeys.get(typename) : undefined;
  if (entity === undefined) return `__typename must be one of ${[...entityKeys.keys()].join(', ')}`;
  const value = (representation as Record<string, unknown>)[entity.key];
  if (typeof value !== 'string') return `a ${typename} needs its ${entity.key}, a string`;
  const checked = entity.validate.safeParse(value);
  return checked.success ? undefined : `${entity.key} of a ${typename} ${checked.error.issues[0]?.message ?? 'is invalid'}`;
}
