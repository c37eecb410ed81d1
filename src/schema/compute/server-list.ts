// `servers`: the Relay connection over Nova's `limit` and `marker`. The cursor carries the server id
// Nova takes as `marker`; the page is primed into the request's server loader, so a relation that
// reaches the same server later in the query (VolumeAttachment.server) costs no call.

import type { GraphQLResolveInfo } from 'graphql';
import type { ServerListQuery } from '../../upstream/types.js';
import { builder, type Context } from '../builder.js';
import { ServerStatusEnum } from './enums.js';
import { prefetchFlavorCatalogue } from '../loaders.js';
import { type Server, toServer } from './server-mapping.js';
import { selectedFields } from '../selection.js';
import { ServerRef } from './server.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, filterText, flavorId, pageSize, uuid } from '../validation.js';

const ServerConnectionRef = builder.connectionObject(
  {
    type: ServerRef,
    name: 'ServerConnection',
    description: 'A page of servers.',
  },
  { name: 'ServerEdge', description: 'A server and its cursor.' },
);

const ServerFilterRef = builder.inputType('ServerFilter', {
  description: 'Server list filters, passed to Nova as query parameters.',
  fields: (t) => ({
    name: t.string({ description: 'A regular expression, as the upstream takes it (at most 255 characters).', validate: filterText }),
    status: t.field({ type: ServerStatusEnum, description: 'Only servers in this status.' }),
    flavorId: t.id({ description: 'Only servers of this flavor (an unknown id gives an empty page).', validate: flavorId }),
    imageId: t.id({ description: 'Only servers booted from this image.', validate: uuid }),
    changesSince: t.field({
      type: 'DateTime',
      description: 'Only servers changed since then, including deleted ones.',
    }),
    reservationId: t.string({ description: 'Only servers of this multiple-create reservation (`r-...`).', validate: filterText }),
  }),
});

type ServerFilter = typeof ServerFilterRef.$inferInput;

function toNovaQuery(filter: ServerFilter | null | undefined): ServerListQuery {
  if (!filter) return {};
  const query: ServerListQuery = {
    name: filter.name ?? undefined,
    status: filter.status ?? undefined,
    flavor: filter.flavorId == null ? undefined : String(filter.flavorId),
    image: filter.imageId == null ? undefined : String(filter.imageId),
    'changes-since': filter.changesSince ?? undefined,
    reservation_id: filter.reservationId ?? undefined,
  };
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}

// `GET /servers` answers only id, name and links: enough when nothing else is selected.
const SUMMARY_FIELDS = new Set(['id', 'name', '__typename']);

/** Encodes its cursor only when read: a page has 100 edges and most queries select no cursor. */
class ServerEdge {
  constructor(readonly node: Server) {}

  get cursor(): string {
    return encodeCursor(this.node.id);
  }
}

interface ListArgs {
  filter?: ServerFilter | null;
  first?: number | null;
  after?: string | null;
}

async function listServers(args: ListArgs, ctx: Context, info: GraphQLResolveInfo) {
  const limit = pageSize(args.first, ctx.limits.maxPageSize);
  const marker = args.after ? decodeCursor(args.after) : undefined;
  const selected = selectedFields(info, ['edges', 'node']);
  const compute = ctx.session().compute;
  // Start the flavor catalogue now, in parallel with the list, instead of after it.
  if (selected.has('flavor')) prefetchFlavorCatalogue(ctx);
  const detail = [...selected].some((name) => !SUMMARY_FIELDS.has(name));
  const page = await compute.listServers({ ...toNovaQuery(args.filter), limit, marker }, { detail });
  const loader = ServerRef.getDataloader(ctx);
  const edges = page.servers.map((raw) => {
    const node = toServer(raw);
    if (detail) loader.prime(node.id, node);
    return new ServerEdge(node);
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

builder.queryField('servers', (t) =>
  t.field({
    type: ServerConnectionRef,
    description:
      'Servers of the project, newest first, one page per call (Nova `limit` and `marker`). Uses `GET /servers/detail`, or `GET /servers` when only `id` and `name` are selected.',
    args: {
      filter: t.arg({ type: ServerFilterRef, description: 'Upstream filters.' }),
      first: t.arg.int({
        description: `Page size: 1 to the configured maximum (LIMIT_MAX_PAGE_SIZE, at most 1000); ${DEFAULT_PAGE_SIZE} when omitted.`,
      }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (_root, args, ctx, info) => listServers(args, ctx, info),
  }),
);
