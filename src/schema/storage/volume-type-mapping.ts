// A Cinder volume type as the VolumeType type reads it.

import type { CinderVolumeType } from '../../upstream/types.js';
import { boolean, text } from '../readers.js';

export interface VolumeType {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean | null;
}

export function toVolumeType(raw: CinderVolumeType): VolumeType {
  return {
    id: raw.id,
    name: text(raw.name) ?? raw.id,
    description: text(raw.description),
    isPublic: boolean(raw['os-volume-type-access:is_public'] ?? raw.is_public),
  };
}
