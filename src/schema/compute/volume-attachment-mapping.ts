// A Nova volume attachment as the VolumeAttachment type reads it.

import type { NovaVolumeAttachment } from '../../upstream/types.js';
import { text } from '../readers.js';

export interface VolumeAttachment {
  id: string;
  device: string | null;
  serverId: string;
  volumeId: string;
}

export function toVolumeAttachment(raw: NovaVolumeAttachment, serverId: string): VolumeAttachment {
  const volumeId = text(raw.volumeId) ?? text(raw.id) ?? '';
  // Nova's attachment id equals the volume id; keep that when the id is missing.
  return { id: text(raw.id) ?? volumeId, device: text(raw.device), serverId: text(raw.serverId) ?? serverId, volumeId };
}
