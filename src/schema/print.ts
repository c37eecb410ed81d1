// The committed SDL (schema.graphql), printed the way composition reads it.

import { printSubgraphSchema } from '@apollo/subgraph';
import { schema } from './index.js';

export function printSchemaFile(): string {
  return `${printSubgraphSchema(schema).trimEnd()}\n`;
}
