// Flavor: the catalogue of server sizes (Nova `flavors`), a federation entity keyed by id.

import { builder, type Context } from '../builder.js';
import { loadableEntity, queryById } from '../entity.js';
import { flavorCatalogue, LOADER_OPTIONS, loadFlavors } from '../loaders.js';
import { type Flavor, toFlavor } from './flavor-mapping.js';
import { MetadataEntryRef } from '../metadata.js';
import { flavorId, nonNegative } from '../validation.js';

export const FlavorRef = builder.loadableObjectRef<Flavor | null, string, string, Flavor>('Flavor', {
  load: (ids: string[], ctx: Context) => loadFlavors(ids, ctx),
  loaderOptions: LOADER_OPTIONS,
});

FlavorRef.implement({
  description:
    'A server size (Nova flavor). NHN names them `<family>.c<vCPUs>m<RAM GB>`, for example `m2.c2m4`; families m2, c2, r2, t2, x1 and u2.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The upstream flavor id (a UUID on NHN).' }),
    name: t.exposeString('name', { description: 'The flavor name, for example `m2.c2m4`.' }),
    vcpus: t.exposeInt('vcpus', { description: 'Virtual CPUs.' }),
    ram: t.exposeInt('ram', { description: 'Memory in MB.' }),
    disk: t.exposeInt('disk', {
      description: 'Root disk in GB; 0 for the volume-backed families, whose root disk is a volume.',
    }),
    swap: t.exposeInt('swap', { description: 'Swap in MB; 0 when the upstream sends an empty string.' }),
    ephemeral: t.exposeInt('ephemeral', { description: 'Ephemeral disk in GB (`OS-FLV-EXT-DATA:ephemeral`).' }),
    rxtxFactor: t.exposeFloat('rxtxFactor', {
      nullable: true,
      description: 'Relative network bandwidth factor (`rxtx_factor`); null when not sent.',
    }),
    isPublic: t.exposeBoolean('isPublic', {
      description: 'Whether every project can use it (`os-flavor-access:is_public`; true when not sent).',
    }),
    disabled: t.exposeBoolean('disabled', {
      description: 'Whether new servers can no longer use it (`OS-FLV-DISABLED:disabled`).',
    }),
    extraSpecs: t.field({
      type: [MetadataEntryRef],
      description: 'NHN extra specs, for example `flavor_type: performance`.',
      resolve: (flavor) => flavor.extraSpecs,
    }),
  }),
});

loadableEntity(FlavorRef, 'id', flavorId);

queryById('flavor', FlavorRef, { field: 'One flavor by id; null when it does not exist.', id: 'The flavor id.' }, flavorId);

builder.queryField('flavors', (t) =>
  t.field({
    type: [FlavorRef],
    description:
      'The flavors this project may use (`GET /flavors/detail`), sorted by id. Without filters the catalogue is served from a short-lived cache.',
    args: {
      minDisk: t.arg.int({ description: 'Only flavors with at least this root disk, in GB.', validate: nonNegative }),
      minRam: t.arg.int({ description: 'Only flavors with at least this memory, in MB.', validate: nonNegative }),
    },
    resolve: async (_root, { minDisk, minRam }, ctx): Promise<Flavor[]> => {
      if (minDisk == null && minRam == null) return [...(await flavorCatalogue(ctx)).values()].map(toFlavor);
      const query = { minDisk: minDisk ?? undefined, minRam: minRam ?? undefined };
      return (await ctx.session().compute.listFlavors(query)).map(toFlavor);
    },
  }),
);
