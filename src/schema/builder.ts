// The SchemaBuilder and what every type file shares: the request Context and the DateTime scalar.
// Plugin order matters (toolchain.md G6): validation sees arguments first, directives must precede
// federation (else @key/@link vanish from the printed SDL, G3), and federation wraps resolvers last.

import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Caller, UpstreamClient, UpstreamSession } from '../upstream/types.js';
import type { LiveServers } from '../live/registry.js';
import { toIsoUtc } from './datetime.js';
import { gatewayError } from './errors.js';
import { toInputError } from './validation.js';

/** One GraphQL request, as the resolvers see it (built in gateway.ts). */
export interface Context {
  /** Who the request acts as; null when neither pass-through headers nor a service account exist. */
  readonly caller: Caller | null;
  /** The upstream session of this request; throws UNAUTHENTICATED when there is no caller. */
  session(): UpstreamSession;
  /** Keystone token issuance (the `issueToken` mutation needs no caller). */
  readonly issueToken: UpstreamClient['issueToken'];
  /** Aborts when the request deadline passes. */
  readonly signal: AbortSignal;
  readonly requestId: string;
  readonly limits: { readonly maxPageSize: number };
  /** Live server state: subscriptions join its watchers, mutations wake them. Absent: no subscriptions. */
  readonly live?: LiveServers;
  /** The client's address (X-Forwarded-For only from a trusted proxy): the per-caller subscription limit. */
  readonly clientAddress?: string;
  /**
   * Before each event of a subscription: a fresh deadline, upstream session and per-request loaders
   * and caches, so that an event's relations are read as of that event, not as of the subscription's start.
   */
  renewForEvent?(): void;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: { DateTime: { Input: string; Output: string } };
}>({
  plugins: [
    ValidationPlugin,
    DirectivesPlugin,
    SimpleObjectsPlugin,
    RelayPlugin,
    DataloaderPlugin,
    FederationPlugin,
  ],
  defaultFieldNullability: false,
  validation: { validationError: toInputError },
  relay: {
    // Ids are the upstream UUIDs (federation keys and the console use them), so no global `node`.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    pageInfoTypeOptions: { description: 'Where a page of a connection stands in the whole list.' },
    hasNextPageFieldOptions: {
      description:
        'True when the upstream sent a next link, which it does whenever the page came back full: the next page may then be empty.',
    },
    hasPreviousPageFieldOptions: { description: 'True when this page was asked for with `after`.' },
    startCursorFieldOptions: { description: 'The cursor of the first edge; null on an empty page.' },
    endCursorFieldOptions: {
      description: 'The cursor of the last edge, to pass as `after` for the next page; null on an empty page.',
    },
    pageInfoFieldOptions: { description: 'Paging state of this page.' },
    edgesFieldOptions: { description: 'The items of this page, in upstream order.' },
    cursorFieldOptions: { description: 'Opaque position of this item, usable as `after`.' },
    nodeFieldOptions: { description: 'The item.' },
  },
});

builder.scalarType('DateTime', {
  description:
    'An instant as an ISO-8601 string in UTC with `Z` (for example `2020-02-25T01:22:24.000Z`). Input accepts any ISO-8601 date-time with `Z` or an offset; one without a zone is taken as UTC.',
  serialize: (value) => {
    const iso = typeof value === 'string' ? toIsoUtc(value) : null;
    if (iso === null) throw gatewayError('INTERNAL_SERVER_ERROR', 'The upstream sent an invalid timestamp.');
    return iso;
  },
  parseValue: (value) => {
    const iso = typeof value === 'string' ? toIsoUtc(value) : null;
    if (iso === null) {
      throw gatewayError('BAD_USER_INPUT', 'DateTime must be an ISO-8601 date-time such as 2024-01-31T09:00:00Z.');
    }
    return iso;
  },
});

builder.queryType({ description: 'Reads from the NHN Cloud compute, image, block storage and network APIs.' });
builder.mutationType({ description: 'Changes through the NHN Cloud compute and identity APIs.' });
