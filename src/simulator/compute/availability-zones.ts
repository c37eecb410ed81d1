// GET /os-availability-zone: NHN's example lists kr-pub-a and kr-pub-b without `hosts`
// (nhn/compute-availability-zones-list-resp.json).

import type { Route } from '../context.js';
import { jsonReply } from '../reply.js';
import { ZONES } from '../seed.js';

export const availabilityZoneRoutes: Route[] = [
  {
    method: 'GET',
    template: '/os-availability-zone',
    handler: () => jsonReply(200, { availabilityZoneInfo: ZONES.map((zoneName) => ({ zoneState: { available: true }, zoneName })) }),
  },
];
