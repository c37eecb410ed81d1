// Server metadata: one value read from the server's own body (`metadataValue`), and one key set or
// deleted (`PUT` / `DELETE /servers/{id}/metadata/{key}`). The mutations answer the server as it
// stands afterwards, and the request's Server loader is refreshed with it, so every later read in the
// same request sees the change.

import { builder } from '../builder.js';
import { metadataKey, metadataValue, uuid } from '../validation.js';
import { currentServer, ServerRef } from './server.js';
import { wakeWatcher } from './server-subscriptions.js';

builder.objectField(ServerRef, 'metadataValue', (t) =>
  t.string({
    nullable: true,
    description:
      "One metadata value, read from the server's own body (no call per server); null when the key is not set. NHN keeps image facts here (`os_type`, `login_username`, ...).",
    args: {
      key: t.arg.string({ required: true, description: '1-255 characters of letters, digits, space and `- _ : .`.', validate: metadataKey }),
    },
    resolve: (server, { key }) => server.metadataValue(key),
  }),
);

builder.mutationFields((t) => ({
  setServerMetadata: t.field({
    type: ServerRef,
    description:
      "Sets one key (`PUT /servers/{id}/metadata/{key}`); returns the server with its metadata. The server must be ACTIVE, PAUSED, SUSPENDED or SHUTOFF with no task (else CONFLICT); at most 128 items (QUOTA_EXCEEDED). Changing NHN's system keys (`os_type`, `image_name`...) changes what the console shows.",
    args: {
      serverId: t.arg.id({ required: true, description: 'The server UUID.', validate: uuid }),
      key: t.arg.string({ required: true, description: '1-255 characters of letters, digits, space and `- _ : .`.', validate: metadataKey }),
      value: t.arg.string({ required: true, description: 'At most 255 characters.', validate: metadataValue }),
    },
    resolve: async (_root, { serverId, key, value }, ctx) => {
      await ctx.session().compute.setServerMetadataItem(String(serverId), key, value);
      wakeWatcher(ctx, String(serverId), 'changed');
      return currentServer(ctx, String(serverId));
    },
  }),
  deleteServerMetadata: t.field({
    type: ServerRef,
    description:
      'Deletes one key (`DELETE /servers/{id}/metadata/{key}`); returns the server with its metadata. NOT_FOUND when the key is not set; same state rule as setServerMetadata.',
    args: {
      serverId: t.arg.id({ required: true, description: 'The server UUID.', validate: uuid }),
      key: t.arg.string({ required: true, description: '1-255 characters of letters, digits, space and `- _ : .`.', validate: metadataKey }),
    },
    resolve: async (_root, { serverId, key }, ctx) => {
      await ctx.session().compute.deleteServerMetadataItem(String(serverId), key);
      wakeWatcher(ctx, String(serverId), 'changed');
      return currentServer(ctx, String(serverId));
    },
  }),
}));
