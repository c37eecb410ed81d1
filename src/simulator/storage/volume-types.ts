// Cinder v2 volume types as NHN offers them: General HDD (the default), General SSD, and the two
// encrypted types that need a Secure Key Manager key (BS example; TF nhncloud_blockstorage_volume_v2).
// Ids are fixed: every tenant sees the same public types, as on NHN.

import type { RequestContext, Route } from '../context.js';
import { novaError } from '../errors.js';
import { jsonReply, type Reply } from '../reply.js';

export interface VolumeType {
  id: string;
  name: string;
  backend: string;
  description: string | null;
  encrypted: boolean;
}

export const VOLUME_TYPES: readonly VolumeType[] = [
  { id: '6d5c9d7d-1c4a-4c38-a4c9-5f0b3c5f6a01', name: 'General HDD', backend: 'hdd_general', description: null, encrypted: false },
  { id: '9b1e2f0a-7c3d-4b6e-8f21-2d4c6e8a0b02', name: 'General SSD', backend: 'ssd_general', description: null, encrypted: false },
  // The encrypted types' backends are not documented (not verified); the names are NHN's.
  { id: 'c3a7e5d1-2b4f-4e68-9a0c-1e3f5b7d9c03', name: 'Encrypted HDD', backend: 'hdd_encrypted', description: null, encrypted: true },
  { id: 'e8f0a2c4-6d1b-4f3e-8c5a-7b9d1f3e5a04', name: 'Encrypted SSD', backend: 'ssd_encrypted', description: null, encrypted: true },
];

/** Cinder's `default_volume_type`; NHN's is General HDD (BS). */
export const DEFAULT_VOLUME_TYPE = VOLUME_TYPES[0]!;

const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Cinder's volume_types.get_by_name_or_id: a uuid-like value is an id, anything else a name; the
 * 404 names what was looked for (VolumeTypeNotFound / VolumeTypeNotFoundByName).
 */
export function findVolumeType(nameOrId: string): VolumeType {
  if (UUID_LIKE.test(nameOrId)) {
    const byId = VOLUME_TYPES.find((t) => t.id === nameOrId);
    if (!byId) throw novaError(404, `Volume type ${nameOrId} could not be found.`);
    return byId;
  }
  const byName = VOLUME_TYPES.find((t) => t.name === nameOrId);
  if (!byName) throw novaError(404, `Volume type with name ${nameOrId} could not be found.`);
  return byName;
}

function typeDocument(type: VolumeType) {
  return {
    extra_specs: { volume_backend_name: type.backend },
    name: type.name,
    'os-volume-type-access:is_public': true,
    is_public: true,
    id: type.id,
    description: type.description,
  };
}

function listTypes(): Reply {
  return jsonReply(200, { volume_types: VOLUME_TYPES.map(typeDocument) });
}

function showType(ctx: RequestContext): Reply {
  return jsonReply(200, { volume_type: typeDocument(findVolumeType(ctx.params[0]!)) });
}

export const volumeTypeRoutes: Route[] = [
  { method: 'GET', template: '/types', handler: listTypes },
  { method: 'GET', template: '/types/{id}', handler: showType },
];
