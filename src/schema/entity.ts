// What the loadable types share: each is a federation entity and has a by-key query, and both go
// through the type's request loader, so `_entities` and `image(id)` batch like any relation.

import type { ImplementableLoadableObjectRef } from '@pothos/plugin-dataloader';
import type { z } from 'zod';
import { builder } from './builder.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
export type LoadableRef<Shape> = ImplementableLoadableObjectRef<Types, string | Shape, Shape, string, string>;

/** `@key(fields: "<key>")`, with representations resolved in one loader batch per type. */
export function loadableEntity<Shape extends object>(ref: LoadableRef<Shape>, key: 'id' | 'name'): void {
  builder.asEntity(ref, {
    // `selection` is typed by its literal, so each key is spelled out.
    key: key === 'id' ? builder.selection<{ id: string }>('id') : builder.selection<{ name: string }>('name'),
    resolveReference: (representation, ctx) =>
      ref.getDataloader(ctx).load('id' in representation ? representation.id : representation.name),
  });
}

/** `<field>(id: ID!): <Type>`, null when the upstream does not know the id. */
export function queryById<Shape extends object>(
  field: string,
  ref: LoadableRef<Shape>,
  descriptions: { field: string; id: string },
  validate?: z.ZodType<string>,
): void {
  builder.queryField(field, (t) =>
    t.field({
      type: ref,
      nullable: true,
      description: descriptions.field,
      args: { id: t.arg.id({ required: true, description: descriptions.id, ...(validate ? { validate } : {}) }) },
      // Returning the key makes the dataloader plugin load it through `ref` (the cast only tells TS so).
      resolve: (_root, { id }) => String(id) as string & Shape,
    }),
  );
}
