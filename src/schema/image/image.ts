// Image: Glance v2 images, read-only here, a federation entity keyed by id.

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { LOADER_OPTIONS, loadImages } from '../loaders.js';
import type { Image } from './image-mapping.js';
import { uuid } from '../validation.js';

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
  }),
});

loadableEntity(ImageRef, 'id', uuid);

queryById(
  'image',
  ImageRef,
  { field: 'One image by id (`GET /v2/images/{id}`); null when it does not exist or is not visible.', id: 'The image UUID.' },
  uuid,
);
