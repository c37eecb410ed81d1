// Operation limits, all enforced before any resolver runs, so before any upstream call: graphql-armor's
// depth, alias, directive and token limits, and a cost budget of our own. Every refusal is one
// QUERY_TOO_COMPLEX error whose `extensions.limit` names the limit.
//
// Why our own cost: armor's cost counts fields weighted by nesting depth and knows no page sizes (it
// reads only a literal `first`, never a variable, never `limit`), so `servers(first: $n)` with every
// relation costs the same for 1 server as for 1000, and the upstream fan-out it is meant to bound is
// not what it measures. Here, as in the IBM GraphQL cost spec and Apollo's demand control:
//   - an object counts 1 (it is an upstream record or lookup), a scalar or enum 0;
//   - a list multiplies what it holds by its size: `first` (servers, default 20, at most the page
//     limit), `limit` (volumeAttachments), the number of `representations` (_entities), else an
//     assumed size (ASSUMED_LIST_SIZE, larger for the catalogues that run longer);
//   - each mutation field adds MUTATION_COST (it changes something upstream);
//   - introspection and __typename are free (introspection has its own switch).
// A 100-server page with flavor, image and keypair costs 501; 1000 servers with their attachments and
// volumes 22,001 (over the default LIMIT_MAX_COST of 10,000: that is some 3,000 upstream calls).
//
// The cost needs the variables, so it is computed where execution starts (onExecute), not as a
// validation rule: Yoga caches validation results per document, whatever the variables.

import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { DocumentNode, FieldNode, GraphQLCompositeType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import { gatewayError } from './schema/errors.js';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
} from './schema/graphql.js';
import { DEFAULT_PAGE_SIZE } from './schema/validation.js';

export type LimitName = 'depth' | 'aliases' | 'directives' | 'tokens' | 'cost';

export const MUTATION_COST = 10;
export const ASSUMED_LIST_SIZE = 10;
/**
 * The network around a server runs short: a server has one or two ports (and so floating IPs), a port
 * one fixed address and a couple of groups, a group a handful of rules. Sized as assumed so, a
 * 100-server page with ports, their floating IPs and groups with rules costs some 5,000, not 200,000.
 */
const NETWORK_LIST_SIZES: Record<string, number> = {
  'Server.ports': 2,
  'Server.floatingIps': 2,
  'Port.fixedIps': 1,
  'Port.securityGroups': 2,
  'SecurityGroup.rules': 5,
};
/** Lists without a page argument that run longer than most: Nova allows 100 keypairs per user. */
const ASSUMED_SIZES: Record<string, number> = { 'Query.flavors': 50, 'Query.keypairs': 100, ...NETWORK_LIST_SIZES };

export function limitError(limit: LimitName, message: string): GraphQLError {
  return gatewayError('QUERY_TOO_COMPLEX', message, { limit });
}

/** The plugins that enforce `limits` (gateway.ts adds them to Yoga). */
export function useOperationLimits(limits: Config['limits'], options: { suggestions: boolean }): Plugin[] {
  // armor's errors are plain "Syntax Error: ..." GraphQLErrors without a code: replace each one.
  const reject = (limit: LimitName) => [
    (_context: unknown, error: GraphQLError) => {
      throw limitError(limit, error.message.replace(/^Syntax Error: /, ''));
    },
  ];
  return [
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth, onReject: reject('depth') },
      maxAliases: { n: limits.maxAliases, onReject: reject('aliases') },
      maxTokens: { n: limits.maxTokens, onReject: reject('tokens') },
      maxDirectives: { onReject: reject('directives') },
      costLimit: { enabled: false },
      // Suggestions help people in GraphiQL; without introspection they would leak the schema.
      blockFieldSuggestion: { enabled: !options.suggestions },
    }),
    useCostLimit(limits),
  ];
}

function useCostLimit(limits: Pick<Config['limits'], 'maxCost' | 'maxPageSize'>): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      const cost = operationCost(args.schema, args.document, args.operationName ?? undefined, variables, limits.maxPageSize);
      if (cost <= limits.maxCost) return;
      const message = `Query cost limit of ${limits.maxCost} exceeded, found ${cost}: lists count by their page size (first, limit); ask for smaller pages or fewer relations.`;
      setResultAndStopExecution({ errors: [limitError('cost', message)] });
    },
  };
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, SelectionSetNode & { typeName: string }>;
  variables: Record<string, unknown>;
  maxPageSize: number;
  /** Fragments being expanded (validation refuses cycles, but the walk must never depend on it). */
  expanding: Set<string>;
}

/** The cost of the operation `document` and `operationName` select (0 when none is selected). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
  maxPageSize: number,
): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName === undefined ? (operations.length === 1 ? operations[0] : undefined) : operations.find((o) => o.name?.value === operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const fragments = new Map<string, SelectionSetNode & { typeName: string }>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, { ...definition.selectionSet, typeName: definition.typeCondition.name.value });
    }
  }
  const walk: Walk = { schema, fragments, variables: withDefaults(operation, variables), maxPageSize, expanding: new Set() };
  const perField = operation.operation === 'mutation' ? MUTATION_COST : 0;
  return selectionCost(operation.selectionSet, root, walk, undefined, perField);
}

function withDefaults(operation: OperationDefinitionNode, given: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) values[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  return { ...values, ...given };
}

/** `edgesSize` is the page size a connection field passes to its `edges`; `extra` is added per field. */
function selectionCost(set: SelectionSetNode, parent: GraphQLCompositeType, walk: Walk, edgesSize: number | undefined, extra = 0): number {
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(selection, parent, walk, edgesSize) + extra;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += selectionCost(selection.selectionSet, typeNamed(walk, selection.typeCondition?.name.value) ?? parent, walk, edgesSize, extra);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      const type = typeNamed(walk, fragment?.typeName);
      if (!fragment || !type || walk.expanding.has(name)) continue;
      walk.expanding.add(name);
      total += selectionCost(fragment, type, walk, edgesSize, extra);
      walk.expanding.delete(name);
    }
  }
  return total;
}

function typeNamed(walk: Walk, name: string | undefined): GraphQLCompositeType | undefined {
  const type = name === undefined ? undefined : walk.schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

function fieldCost(node: FieldNode, parent: GraphQLCompositeType, walk: Walk, edgesSize: number | undefined): number {
  const name = node.name.value;
  if (name.startsWith('__')) return 0;
  const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  if (definition === undefined) return 0;
  const named = getNamedType(definition.type);
  if (!isCompositeType(named)) return 0;
  // A connection's `first` sizes the `edges` below it (absent: the resolver's default page).
  const pageSize = definition.args.some((arg) => arg.name === 'first') ? clampPage(argument(node, 'first', walk), walk) : undefined;
  const children = node.selectionSet ? selectionCost(node.selectionSet, named, walk, pageSize) : 0;
  const size = isListType(getNullableType(definition.type)) ? listSize(node, `${parent.name}.${name}`, walk, edgesSize) : 1;
  return size * (1 + children);
}

function listSize(node: FieldNode, coordinate: string, walk: Walk, edgesSize: number | undefined): number {
  const limit = argument(node, 'limit', walk);
  if (limit !== undefined) return typeof limit === 'number' && Number.isInteger(limit) ? Math.min(Math.max(limit, 0), walk.maxPageSize) : ASSUMED_LIST_SIZE;
  const representations = argument(node, 'representations', walk);
  if (Array.isArray(representations)) return representations.length;
  if (node.name.value === 'edges' && edgesSize !== undefined) return edgesSize;
  return ASSUMED_SIZES[coordinate] ?? ASSUMED_LIST_SIZE;
}

/** `first` as the page size the resolver will use (an out-of-range value is refused there, not here). */
function clampPage(first: unknown, walk: Walk): number {
  const fallback = Math.min(DEFAULT_PAGE_SIZE, walk.maxPageSize);
  if (typeof first !== 'number' || !Number.isInteger(first)) return fallback;
  return Math.min(Math.max(first, 1), walk.maxPageSize);
}

function argument(node: FieldNode, name: string, walk: Walk): unknown {
  const found = node.arguments?.find((arg) => arg.name.value === name);
  return found === undefined ? undefined : valueFromASTUntyped(found.value, walk.variables);
}
