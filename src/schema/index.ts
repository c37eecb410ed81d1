// The schema: every type file registers itself on the builder when imported; this module imports
// them all and builds the federation subgraph schema (with `_entities` and `_service`).

import { builder } from './builder.js';
import { checkRepresentations } from './entity.js';
import './compute/enums.js';
import './metadata.js';
import './compute/flavor.js';
import './image/image.js';
import './image/image-list.js';
import './compute/keypair.js';
import './storage/volume.js';
import './storage/volume-type.js';
import './storage/volume-snapshot.js';
import './compute/server.js';
import './compute/server-list.js';
import './compute/server-actions.js';
import './compute/server-create.js';
import './compute/server-metadata.js';
import './compute/placement-policy.js';
import './compute/volume-attachment.js';
import './compute/server-subscriptions.js';
import './compute/availability-zone.js';
import './network/network.js';
import './network/security-group.js';
import './network/security-group-rule.js';
import './network/port.js';
import './network/floating-ip.js';
import './identity/token.js';

export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

export const schema = checkRepresentations(builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK }));
