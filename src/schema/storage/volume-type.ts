// VolumeType: Cinder volume types (`GET /types`): NHN's General HDD (the default), General SSD and the
// encrypted ones. A volume names its type by name.

import { builder } from '../builder.js';
import { type VolumeType, toVolumeType } from './volume-type-mapping.js';

export const VolumeTypeRef = builder.objectRef<VolumeType>('VolumeType').implement({
  description: 'A block storage volume type (Cinder). NHN: `General HDD` (default), `General SSD`, and encrypted types needing a Secure Key Manager key.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The volume type UUID.' }),
    name: t.exposeString('name', { description: 'The name a volume is created with, e.g. General HDD, General SSD.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the type is for; null when none is set.' }),
    isPublic: t.exposeBoolean('isPublic', {
      nullable: true,
      description: 'Whether every project may use it (`os-volume-type-access:is_public`); null when not sent.',
    }),
  }),
});

builder.queryField('volumeTypes', (t) =>
  t.field({
    type: [VolumeTypeRef],
    description: 'The volume types a volume can be created with (`GET /types`).',
    resolve: async (_root, _args, ctx) => (await ctx.session().volume.listVolumeTypes()).map(toVolumeType),
  }),
);
