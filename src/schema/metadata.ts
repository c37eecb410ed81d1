// Key/value pairs: Nova metadata and flavor extra specs are JSON objects upstream, lists here (GraphQL
// has no map type, and a list keeps them typed and printable).

import { builder } from './builder.js';
import type { Entry } from './readers.js';
import { metadataKey, metadataValue } from './validation.js';

export const MetadataEntryRef = builder.simpleObject('MetadataEntry', {
  description: 'One key/value pair of upstream metadata or extra specs.',
  fields: (t) => ({
    key: t.string({ description: 'The key (at most 255 characters).' }),
    value: t.string({ description: 'The value (at most 255 characters); non-string upstream values as JSON.' }),
  }),
});

export const MetadataEntryInputRef = builder.inputType('MetadataEntryInput', {
  description: 'One metadata pair to set.',
  fields: (t) => ({
    key: t.string({
      required: true,
      description: '1-255 characters of letters, digits, space and `- _ : .`.',
      validate: metadataKey,
    }),
    value: t.string({ required: true, description: 'At most 255 characters.', validate: metadataValue }),
  }),
});

/** Nova's metadata object from the input list. */
export function toMetadataObject(list: readonly Entry[] | null | undefined): Record<string, string> | undefined {
  return list ? Object.fromEntries(list.map(({ key, value }) => [key, value])) : undefined;
}
