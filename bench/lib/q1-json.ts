// Builds, from the raw upstream bodies, exactly the JSON the gateway answers to Q1 (bench/lib/queries.ts),
// so that the baseline does the same useful work with none of GraphQL's. The bench compares the two
// answers before it measures, so a drift here shows up as a failed check, not as a wrong ratio.

export interface NovaServer {
  id: string;
  name?: string;
  status?: string;
  key_name?: string | null;
  image?: { id?: string } | string | null;
  flavor?: { id?: string };
}

export interface NovaFlavor {
  id: string;
  name?: string;
  vcpus?: number;
  ram?: number;
}

export interface NovaKeypair {
  name: string;
}

export interface GlanceImage {
  id: string;
  name?: string | null;
}

// The ServerStatus enum of the schema contract; anything else is UNKNOWN there.
const STATUSES = new Set([
  'ACTIVE', 'BUILD', 'REBUILD', 'SHUTOFF', 'SUSPENDED', 'PAUSED', 'RESCUE', 'RESIZE', 'VERIFY_RESIZE', 'REVERT_RESIZE',
  'MIGRATING', 'REBOOT', 'HARD_REBOOT', 'PASSWORD', 'SHELVED', 'SHELVED_OFFLOADED', 'SOFT_DELETED', 'DELETED', 'ERROR',
]);

export function buildServersPage(
  servers: NovaServer[],
  flavors: NovaFlavor[],
  images: Map<string, GlanceImage>,
  keypairs: NovaKeypair[],
): string {
  const flavorById = new Map(flavors.map((f) => [f.id, f]));
  const keypairNames = new Set(keypairs.map((k) => k.name));
  const edges = servers.map((server) => {
    const flavor = server.flavor?.id === undefined ? undefined : flavorById.get(server.flavor.id);
    const imageId = typeof server.image === 'object' && server.image !== null ? server.image.id : undefined;
    const image = imageId === undefined ? undefined : images.get(imageId);
    const keyName = server.key_name ?? undefined;
    const status = server.status?.toUpperCase() ?? '';
    return {
      node: {
        id: server.id,
        name: server.name ?? '',
        status: STATUSES.has(status) ? status : 'UNKNOWN',
        flavor: flavor ? { name: flavor.name ?? '', vcpus: flavor.vcpus ?? 0, ram: flavor.ram ?? 0 } : null,
        image: image ? { name: image.name ?? null } : null,
        keypair: keyName !== undefined && keypairNames.has(keyName) ? { name: keyName } : null,
      },
    };
  });
  return JSON.stringify({ data: { servers: { edges } } });
}
