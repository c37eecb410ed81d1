// AvailabilityZone: where servers and volumes can be placed (Nova `os-availability-zone`).

import { builder } from '../builder.js';
import { toAvailabilityZone } from './availability-zone-mapping.js';

const AvailabilityZoneRef = builder.simpleObject('AvailabilityZone', {
  description: 'An availability zone, for example `kr-pub-a`.',
  fields: (t) => ({
    name: t.string({ description: 'The zone name, as `availabilityZone` of a new server takes it.' }),
    available: t.boolean({ description: 'Whether new servers can be placed in it now.' }),
  }),
});

builder.queryField('availabilityZones', (t) =>
  t.field({
    type: [AvailabilityZoneRef],
    description: 'The zones of the region (`GET /os-availability-zone`).',
    resolve: async (_root, _args, ctx) =>
      (await ctx.session().compute.listAvailabilityZones()).map(toAvailabilityZone).filter((z) => z.name !== ''),
  }),
);
