// Volume: Cinder v2 block storage volumes, read here for attachments; a federation entity keyed by id.

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { LOADER_OPTIONS, loadVolumes } from '../loaders.js';
import type { Volume } from './volume-mapping.js';
import { uuid } from '../validation.js';

export const VolumeRef = builder.loadableObjectRef<Volume | null, string, string, Volume>('Volume', {
  load: (ids: string[], ctx: Context) => loadVolumes(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

VolumeRef.implement({
  description: 'A block storage volume (Cinder v2).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The volume UUID.' }),
    name: t.exposeString('name', { nullable: true, description: 'The volume name; null when it has none.' }),
    size: t.exposeInt('size', { description: 'Size in GB.' }),
    status: t.exposeString('status', { description: 'Cinder status, for example `available` or `in-use`.' }),
    volumeType: t.exposeString('volumeType', {
      nullable: true,
      description: 'The volume type name, for example `General HDD` or `General SSD`.',
    }),
    bootable: t.exposeBoolean('bootable', {
      description: 'Whether a server can boot from it (Cinder sends the string "true"/"false").',
    }),
    availabilityZone: t.exposeString('availabilityZone', {
      nullable: true,
      description: 'Its zone; a server must be in the same zone to attach it.',
    }),
  }),
});

loadableEntity(VolumeRef, 'id', uuid);

queryById(
  'volume',
  VolumeRef,
  { field: 'One volume by id (`GET /volumes/{id}`); null when it does not exist.', id: 'The volume UUID.' },
  uuid,
);
