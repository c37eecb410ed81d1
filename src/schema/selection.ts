// Looking ahead in the query: the `servers` resolver decides from the selection which upstream list
// to call (`servers` vs `servers/detail`) and whether to start the flavor catalogue early; `server(id)`
// whether to start the volume attachment list early.

import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { Kind } from './graphql.js';

function fieldsOf(set: SelectionSetNode | undefined, info: GraphQLResolveInfo, seen = new Set<string>()): FieldNode[] {
  const result: FieldNode[] = [];
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) result.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) result.push(...fieldsOf(selection.selectionSet, info, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      result.push(...fieldsOf(info.fragments[selection.name.value]?.selectionSet, info, seen));
    }
  }
  return result;
}

/**
 * The fields selected below `path` under the resolver's own field, across fragments (one node per
 * selection, so an aliased field may come twice). `@skip`/`@include` are ignored, so the answer errs
 * towards "selected".
 */
export function selectedFieldNodes(info: GraphQLResolveInfo, path: readonly string[]): FieldNode[] {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    level = level.flatMap((node) => fieldsOf(node.selectionSet, info)).filter((f) => f.name.value === name);
  }
  return level.flatMap((node) => fieldsOf(node.selectionSet, info));
}

/** The field names (not aliases) of selectedFieldNodes. */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  return new Set(selectedFieldNodes(info, path).map((f) => f.name.value));
}
