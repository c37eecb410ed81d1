// The schema: every type file registers itself on the builder when imported; this module imports
// them all and builds the federation subgraph schema (with `_entities` and `_service`).

import { builder } from './builder.js';
import { checkRepresentations } from './entity.js';
import './enums.js';
import './metadata.js';
import './flavor.js';
import './image.js';
import './keypair.js';
import './volume.js';
import './server.js';
import './server-list.js';
import './server-actions.js';
import './server-create.js';
import './volume-attachment.js';
import './availability-zone.js';
import './network.js';
import './token.js';

export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

export const schema = checkRepresentations(builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK }));
