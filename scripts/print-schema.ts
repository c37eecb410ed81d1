// Writes schema.graphql: the subgraph SDL as composition sees it, with @key and @link
// (printSubgraphSchema; graphql's printSchema would drop them, toolchain.md G5).
// test/schema/schema-file.test.ts fails when the committed file differs from this output.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSchemaFile } from '../src/schema/print.js';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
writeFileSync(target, printSchemaFile());
console.log(`wrote ${target}`);
