// A Cinder volume as the Volume type reads it (`bootable` arrives as "true"/"false"; created_at
// without a zone; its attachments ride in its own body).

import type { CinderVolume } from '../../upstream/types.js';
import type { VolumeAttachment } from '../compute/volume-attachment-mapping.js';
import { optionalTimestamp } from '../datetime.js';
import { text, integer, boolean, list, record } from '../readers.js';

export interface Volume {
  id: string;
  name: string | null;
  size: number;
  status: string;
  volumeType: string | null;
  bootable: boolean;
  availabilityZone: string | null;
  description: string | null;
  createdAt: string | null;
  encrypted: boolean | null;
  snapshotId: string | null;
  attachments: VolumeAttachment[];
}

export function toVolume(raw: CinderVolume): Volume {
  const attachments: VolumeAttachment[] = [];
  for (const item of list(raw.attachments)) {
    const attachment = record(item);
    const serverId = text(attachment.server_id);
    // An attachment without its server says nothing usable.
    if (serverId === null) continue;
    attachments.push({
      // Nova's attachment id is the volume id; Cinder's v2 body carries it as `id` too.
      id: text(attachment.id) ?? raw.id,
      device: text(attachment.device),
      serverId,
      volumeId: text(attachment.volume_id) ?? raw.id,
    });
  }
  return {
    id: raw.id,
    name: text(raw.name),
    size: integer(raw.size) ?? 0,
    status: text(raw.status) ?? 'unknown',
    volumeType: text(raw.volume_type),
    bootable: boolean(raw.bootable) ?? false,
    availabilityZone: text(raw.availability_zone),
    description: text(raw.description),
    createdAt: optionalTimestamp(raw.created_at),
    encrypted: boolean(raw.encrypted),
    snapshotId: text(raw.snapshot_id),
    attachments,
  };
}
