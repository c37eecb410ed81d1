// A Cinder snapshot as the VolumeSnapshot type reads it.

import type { CinderSnapshot } from '../../upstream/types.js';
import { optionalTimestamp } from '../datetime.js';
import { integer, text } from '../readers.js';

export interface VolumeSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: string;
  volumeId: string;
  createdAt: string | null;
}

export function toVolumeSnapshot(raw: CinderSnapshot): VolumeSnapshot {
  return {
    id: raw.id,
    name: text(raw.name),
    description: text(raw.description),
    size: integer(raw.size) ?? 0,
    status: text(raw.status) ?? 'unknown',
    volumeId: text(raw.volume_id) ?? '',
    createdAt: optionalTimestamp(raw.created_at),
  };
}
