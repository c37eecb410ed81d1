// schema.graphql is the committed, printed SDL: regenerate it with `npm run print-schema`.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { printSchemaFile } from '../../src/schema/print.js';

test('schema.graphql is up to date (npm run print-schema)', () => {
  const committed = readFileSync(fileURLToPath(new URL('../../schema.graphql', import.meta.url)), 'utf8');
  expect(committed === printSchemaFile(), 'schema.graphql is stale: run npm run print-schema').toBe(true);
});

test('the printed SDL is a federation 2 subgraph with its entity keys', () => {
  const sdl = printSchemaFile();
  expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
  for (const entity of ['Server', 'Flavor', 'Image', 'Volume']) expect(sdl).toMatch(new RegExp(`type ${entity}\\s+@key\\(fields: "id"\\)`));
  expect(sdl).toMatch(/type Keypair\s+@key\(fields: "name"\)/);
});
