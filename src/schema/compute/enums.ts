// The closed sets of the contract. Each value list is a plain object (value -> description) so the
// mappings can use it without the builder; the GraphQL enum types are registered from the same objects.

import { builder } from '../builder.js';

export const SERVER_STATUSES = {
  ACTIVE: 'Running.',
  BUILD: 'Being created (the NHN guide calls it BUILDING).',
  REBUILD: 'Being rebuilt from its image.',
  SHUTOFF: 'Stopped (the NHN guide calls it STOPPED).',
  SUSPENDED: 'Suspended to disk.',
  PAUSED: 'Paused in memory.',
  RESCUE: 'In rescue mode (the NHN guide calls it RESCUED).',
  RESIZE: 'Changing flavor (the NHN guide calls it RESIZED).',
  VERIFY_RESIZE: 'Resized and awaiting confirmation; NHN confirms by itself and the server turns ACTIVE.',
  REVERT_RESIZE: 'Reverting a resize.',
  MIGRATING: 'Moving to another host.',
  REBOOT: 'Soft reboot in progress.',
  HARD_REBOOT: 'Hard reboot in progress.',
  PASSWORD: 'Its password is being set.',
  SHELVED: 'Shelved, still on its host.',
  SHELVED_OFFLOADED: 'Shelved and offloaded; NHN calls this a terminated instance.',
  SOFT_DELETED: 'Deleted, still restorable.',
  DELETED: 'Deleted.',
  ERROR: 'Failed; `fault` says why.',
  UNKNOWN: 'Any value the upstream sends that this enum does not list.',
} as const;
export type ServerStatus = keyof typeof SERVER_STATUSES;

/** Nova's `OS-EXT-STS:power_state`; the integer is in each description. */
export const POWER_STATES = {
  NOSTATE: 'No power state reported (0).',
  RUNNING: 'Running (1).',
  PAUSED: 'Paused (3).',
  SHUTDOWN: 'Shut down (4).',
  CRASHED: 'Crashed (6).',
  SUSPENDED: 'Suspended (7).',
} as const;
export type PowerState = keyof typeof POWER_STATES;

export const ADDRESS_TYPES = {
  FIXED: 'A fixed (private) address of the port (`OS-EXT-IPS:type` fixed).',
  FLOATING: 'A floating (public) address mapped to the port (`OS-EXT-IPS:type` floating).',
  UNKNOWN: 'Any other `OS-EXT-IPS:type` value, or none.',
} as const;
export type AddressType = keyof typeof ADDRESS_TYPES;

/** Pothos enum values from a value -> description list. */
function described<K extends string>(descriptions: Record<K, string>): { [V in K]: { description: string } } {
  const entries = Object.entries(descriptions).map(([name, description]) => [name, { description }]);
  return Object.fromEntries(entries) as { [V in K]: { description: string } };
}

export const ServerStatusEnum = builder.enumType('ServerStatus', {
  description:
    "A server's status as Nova reports it. The NHN guide's spellings (BUILDING, STOPPED, RESIZED, RESCUED) are mapped to Nova's; an unknown value becomes UNKNOWN instead of failing the query.",
  values: described(SERVER_STATUSES),
});

export const PowerStateEnum = builder.enumType('PowerState', {
  description: "The hypervisor's power state of a server (`OS-EXT-STS:power_state`).",
  values: described(POWER_STATES),
});

export const AddressTypeEnum = builder.enumType('AddressType', {
  description: 'Whether an address is fixed on the port or a floating IP.',
  values: described(ADDRESS_TYPES),
});

export const RebootTypeEnum = builder.enumType('RebootType', {
  description: 'How to reboot a server.',
  values: {
    SOFT: { description: 'Ask the guest OS to restart; needs an ACTIVE server.' },
    HARD: { description: 'Power-cycle the server; allowed from more states (ACTIVE, SHUTOFF, ERROR, PAUSED, ...).' },
  },
});

export const DiskConfigEnum = builder.enumType('DiskConfig', {
  description: 'How the root disk is partitioned on resize (`OS-DCF:diskConfig`). NHN always uses MANUAL.',
  values: {
    AUTO: { description: 'Grow the root partition to the whole disk.' },
    MANUAL: { description: 'Leave partitions as they are.' },
  },
});

export const BlockDeviceSourceEnum = builder.enumType('BlockDeviceSource', {
  description: 'Where a block device of a new server comes from (`source_type`).',
  values: {
    IMAGE: { description: 'A new disk made from an image (`uuid` is the image id).' },
    VOLUME: { description: 'An existing volume (`uuid` is the volume id); then only one server can be created.' },
    SNAPSHOT: { description: 'A new volume from a volume snapshot (`uuid` is the snapshot id).' },
    BLANK: { description: 'An empty new volume of `volumeSize` GB; cannot be the root disk.' },
  },
});

export const BlockDeviceDestinationEnum = builder.enumType('BlockDeviceDestination', {
  description: 'Where a block device lives (`destination_type`).',
  values: {
    LOCAL: { description: 'The local disk of the host: U2 and GPU flavors.' },
    VOLUME: { description: 'A block storage volume: every other flavor.' },
  },
});
