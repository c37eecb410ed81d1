// Image: Glance v2 images, read-only here, a federation entity keyed by id.

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { LOADER_OPTIONS, loadImages } from '../loaders.js';
import { UpstreamError } from '../../upstream/errors.js';
import type { GlancePatchOperation } from '../../upstream/types.js';
import { badUserInput } from '../errors.js';
import { type Image, toImage } from './image-mapping.js';
import { imageTag, nonNegative, resourceName, uuid } from '../validation.js';

export const ImageRef = builder.loadableObjectRef<Image | null, string, string, Image>('Image', {
  load: (ids: string[], ctx: Context) => loadImages(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

ImageRef.implement({
  description: 'A server image (Glance v2). NHN puts the OS facts in `os_type`, `os_distro` and `os_version`.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The image UUID.' }),
    name: t.exposeString('name', { nullable: true, description: 'The image name; null when it has none.' }),
    status: t.exposeString('status', {
      description: 'Glance status: `queued`, `saving`, `active`, `killed`, `deleted`, ... (a new snapshot is `queued` until `active`).',
    }),
    minDisk: t.exposeInt('minDisk', { nullable: true, description: 'Smallest root disk it boots from, in GB.' }),
    minRam: t.exposeInt('minRam', { nullable: true, description: 'Smallest memory it needs, in MB.' }),
    osType: t.exposeString('osType', { nullable: true, description: 'NHN `os_type`: `linux` or `windows`.' }),
    osDistro: t.exposeString('osDistro', { nullable: true, description: 'NHN `os_distro`, for example `CentOS`.' }),
    osVersion: t.exposeString('osVersion', { nullable: true, description: 'NHN `os_version`, for example `6.10`.' }),
    visibility: t.exposeString('visibility', {
      nullable: true,
      description: 'Who sees it: `public`, `private`, `shared` or `community`.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', nullable: true, description: 'When it was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'When it last changed.' }),
    tags: t.exposeStringList('tags', { description: 'Glance tags (NHN: each 1-255 characters, not starting with "_"); empty when none.' }),
    protected: t.exposeBoolean('protected', {
      nullable: true,
      description: 'Whether it is protected from deletion (NHN\'s public images are); null when not sent.',
    }),
    owner: t.exposeString('owner', { nullable: true, description: 'The project (tenant) id that owns it; public images belong to NHN.' }),
  }),
});

loadableEntity(ImageRef, 'id', uuid);

queryById(
  'image',
  ImageRef,
  { field: 'One image by id (`GET /v2/images/{id}`); null when it does not exist or is not visible.', id: 'The image UUID.' },
  uuid,
);

// ---- mutations: update, delete, tags -----------------------------------------------------------------
// Each goes to Glance and drops the scope's cached images (the upstream client does, also on failure).

/** Puts the image as Glance answered it into the request's loader, over whatever it held. */
function primed(ctx: Context, image: Image): Image {
  ImageRef.getDataloader(ctx).clear(image.id).prime(image.id, image);
  return image;
}

async function currentImage(ctx: Context, id: string): Promise<Image> {
  const raw = await ctx.session().image.getImage(id);
  if (raw === null) throw new UpstreamError({ service: 'image', kind: 'http', status: 404, message: `No image found with ID ${id}` });
  return primed(ctx, toImage(raw));
}

builder.mutationFields((t) => {
  const idArg = () => t.arg.id({ required: true, description: 'The image UUID (an image of this project: NHN\'s public images cannot be changed).', validate: uuid });
  const tagArg = () => t.arg.string({ required: true, description: 'The tag: 1-255 characters, not starting with "_" (NHN), no "/".', validate: imageTag });
  return {
    updateImage: t.field({
      type: ImageRef,
      description:
        'Renames an image or changes its minimums (`PATCH /v2/images/{id}`, media type `application/openstack-images-v2.1-json-patch`, `replace` operations). Give at least one of name, minDisk, minRam.',
      args: {
        id: idArg(),
        name: t.arg.string({ description: 'The new name (1-255 printable characters).', validate: resourceName }),
        minDisk: t.arg.int({ description: 'Smallest root disk it boots from, in GB (0 or more).', validate: nonNegative }),
        minRam: t.arg.int({ description: 'Smallest memory it needs, in MB (0 or more).', validate: nonNegative }),
      },
      resolve: async (_root, { id, name, minDisk, minRam }, ctx) => {
        const operations: GlancePatchOperation[] = [];
        if (name != null) operations.push({ op: 'replace', path: '/name', value: name });
        if (minDisk != null) operations.push({ op: 'replace', path: '/min_disk', value: minDisk });
        if (minRam != null) operations.push({ op: 'replace', path: '/min_ram', value: minRam });
        if (operations.length === 0) throw badUserInput('name', 'give at least one of name, minDisk, minRam');
        return primed(ctx, toImage(await ctx.session().image.updateImage(String(id), operations)));
      },
    }),
    deleteImage: t.id({
      description:
        'Deletes an image of this project (`DELETE /v2/images/{id}`); public and protected images are refused (FORBIDDEN). Returns the id of the deleted image.',
      args: { id: idArg() },
      resolve: async (_root, { id }, ctx) => {
        await ctx.session().image.deleteImage(String(id));
        ImageRef.getDataloader(ctx).clear(String(id));
        return String(id);
      },
    }),
    addImageTag: t.field({
      type: ImageRef,
      description: 'Adds a tag (`PUT /v2/images/{id}/tags/{tag}`; adding one it has is no change), then reads the image (`GET /v2/images/{id}`).',
      args: { id: idArg(), tag: tagArg() },
      resolve: async (_root, { id, tag }, ctx) => {
        await ctx.session().image.addImageTag(String(id), tag);
        return currentImage(ctx, String(id));
      },
    }),
    removeImageTag: t.field({
      type: ImageRef,
      description: 'Removes a tag (`DELETE /v2/images/{id}/tags/{tag}`; NOT_FOUND when it has no such tag), then reads the image.',
      args: { id: idArg(), tag: tagArg() },
      resolve: async (_root, { id, tag }, ctx) => {
        await ctx.session().image.removeImageTag(String(id), tag);
        return currentImage(ctx, String(id));
      },
    }),
  };
});
