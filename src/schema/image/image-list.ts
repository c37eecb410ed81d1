// `images`: the Relay connection over Glance's `limit` and `marker`. Glance answers a relative `next`
// link (`/v2/images?...&marker=<last id>`) when the page came back full; its marker is the end
// cursor's content. The page is primed into the request's image loader, so a relation that reaches
// the same image later in the query costs no call.

import type { ImageListQuery } from '../../upstream/types.js';
import { builder, type Context } from '../builder.js';
import { ImageRef } from './image.js';
import { type Image, toImage } from './image-mapping.js';
import { markerPage } from '../marker-paging.js';
import {
  DEFAULT_PAGE_SIZE,
  decodeMarkerCursor,
  filterText,
  imageStatus,
  imageTag,
  imageVisibility,
  pageSize,
} from '../validation.js';

const CURSOR_KIND = 'image';

const ImageConnectionRef = builder.connectionObject(
  {
    type: ImageRef,
    name: 'ImageConnection',
    description: 'A page of images.',
  },
  { name: 'ImageEdge', description: 'An image and its cursor.' },
);

const ImageFilterRef = builder.inputType('ImageFilter', {
  description: 'Image list filters, passed to Glance as query parameters (all must hold).',
  fields: (t) => ({
    name: t.string({ description: 'Only images with exactly this name (at most 255 characters).', validate: filterText }),
    status: t.string({
      description: 'Only images in this Glance status: `queued`, `saving`, `active`, `deactivated`, `killed`, `deleted`, ...',
      validate: imageStatus,
    }),
    visibility: t.string({
      description:
        '`public` (NHN\'s images), `private` (the project\'s own), `shared` or `community`; `all` too. Omitted: public, own and accepted shared images.',
      validate: imageVisibility,
    }),
    tag: t.string({ description: 'Only images carrying this tag (NHN: 1-255 characters, not starting with "_").', validate: imageTag }),
  }),
});

type ImageFilter = typeof ImageFilterRef.$inferInput;

function toGlanceQuery(filter: ImageFilter | null | undefined): ImageListQuery {
  if (!filter) return {};
  return {
    name: filter.name ?? undefined,
    status: filter.status ?? undefined,
    visibility: filter.visibility ?? undefined,
    tag: filter.tag ?? undefined,
  };
}

interface ListArgs {
  filter?: ImageFilter | null;
  first?: number | null;
  after?: string | null;
}

async function listImages(args: ListArgs, ctx: Context) {
  const limit = pageSize(args.first, ctx.limits.maxPageSize);
  const marker = args.after ? decodeMarkerCursor(CURSOR_KIND, args.after) : undefined;
  const page = await ctx.session().image.listImages({ ...toGlanceQuery(args.filter), limit, marker });
  return markerPage(CURSOR_KIND, { nodes: page.images.map(toImage), nextMarker: page.nextMarker, after: args.after }, ImageRef.getDataloader(ctx));
}

builder.queryField('images', (t) =>
  t.field({
    type: ImageConnectionRef,
    description:
      'Images the project can boot from: NHN\'s public images, its own and accepted shared ones, newest first (`GET /v2/images`, Glance `limit`, `marker` and `next` links). Not cached: a new image shows at once.',
    args: {
      filter: t.arg({ type: ImageFilterRef, description: 'Glance filters.' }),
      first: t.arg.int({
        description: `Page size: 1 to the configured maximum (LIMIT_MAX_PAGE_SIZE, at most 1000); ${DEFAULT_PAGE_SIZE} when omitted.`,
      }),
      after: t.arg.string({ description: 'The `endCursor` of the previous page.' }),
    },
    resolve: (_root, args, ctx) => listImages(args, ctx),
  }),
);
