// A Glance image as the Image type reads it.

import type { GlanceImage } from '../../upstream/types.js';
import { text, integer, boolean, list } from '../readers.js';
import { optionalTimestamp } from '../datetime.js';

export interface Image {
  id: string;
  name: string | null;
  status: string;
  minDisk: number | null;
  minRam: number | null;
  osType: string | null;
  osDistro: string | null;
  osVersion: string | null;
  visibility: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  tags: string[];
  protected: boolean | null;
  owner: string | null;
}

export function toImage(raw: GlanceImage): Image {
  return {
    id: raw.id,
    name: text(raw.name),
    status: text(raw.status) ?? 'unknown',
    minDisk: integer(raw.min_disk),
    minRam: integer(raw.min_ram),
    osType: text(raw.os_type),
    osDistro: text(raw.os_distro),
    osVersion: text(raw.os_version),
    visibility: text(raw.visibility),
    createdAt: optionalTimestamp(raw.created_at),
    updatedAt: optionalTimestamp(raw.updated_at),
    tags: list(raw.tags).filter((tag): tag is string => typeof tag === 'string'),
    protected: boolean(raw.protected),
    owner: text(raw.owner),
  };
}
