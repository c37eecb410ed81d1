// Where the scheduler puts a server: a host of its zone, spread over different hosts for an
// anti-affinity server group (NHN's placement policy) or kept together for an affinity one. When no
// host satisfies the policy, the build ends in ERROR with Nova's NoValidHost fault (NHN's guide warns
// that a create that cannot be spread fails).

import type { Flavor, ServerGroup, Tenant, World } from '../state.js';
import { ZONES } from '../seed.js';
import { HOSTS_PER_ZONE, hostName } from './provision.js';

/** NHN's GPU flavors: local disk like u2, and no shelve ("terminate") (console guide). */
export function isGpuFlavor(flavor: Flavor | undefined): boolean {
  return flavor?.family === 'g2';
}

/** The server group a server belongs to, if any (Nova keeps one group per instance). */
export function groupOf(tenant: Tenant, serverId: string): ServerGroup | undefined {
  for (const group of tenant.serverGroups.values()) if (group.memberIds.includes(serverId)) return group;
  return undefined;
}

/** The ids of the group's members that still exist (Nova lists only non-deleted instances). */
export function liveMembers(tenant: Tenant, group: ServerGroup): string[] {
  return group.memberIds.filter((id) => tenant.servers.has(id));
}

export function zoneOfHost(host: string): string {
  return ZONES.find((zone) => host.startsWith(`${zone}-`)) ?? ZONES[0];
}

/**
 * A host for `serverId` in `zone` (any zone when undefined) that the group's policy allows, chosen
 * at random among those; undefined when there is none.
 */
export function chooseHost(world: World, tenant: Tenant, zone: string | undefined, group: ServerGroup | undefined, serverId?: string): string | undefined {
  const zones = zone === undefined ? [...ZONES] : [zone];
  let hosts = zones.flatMap((z) => Array.from({ length: HOSTS_PER_ZONE }, (_, i) => hostName(z, i)));
  if (group) {
    const used = new Set(
      liveMembers(tenant, group)
        .filter((id) => id !== serverId)
        .map((id) => tenant.servers.get(id)?.host ?? '')
        .filter((host) => host !== ''),
    );
    if (group.policy === 'anti-affinity') hosts = hosts.filter((host) => !used.has(host));
    else if (used.size > 0) hosts = hosts.filter((host) => used.has(host));
  }
  return hosts.length === 0 ? undefined : hosts[world.ids.int(hosts.length)];
}
