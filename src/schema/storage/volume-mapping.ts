// A Cinder volume as the Volume type reads it (`bootable` arrives as "true"/"false").

import type { CinderVolume } from '../../upstream/types.js';
import { text, integer, boolean } from '../readers.js';

export interface Volume {
  id: string;
  name: string | null;
  size: number;
  status: string;
  volumeType: string | null;
  bootable: boolean;
  availabilityZone: string | null;
}

export function toVolume(raw: CinderVolume): Volume {
  return {
    id: raw.id,
    name: text(raw.name),
    size: integer(raw.size) ?? 0,
    status: text(raw.status) ?? 'unknown',
    volumeType: text(raw.volume_type),
    bootable: boolean(raw.bootable) ?? false,
    availabilityZone: text(raw.availability_zone),
  };
}
