// Making servers and volumes, shared by the seed data, POST /servers and the addServers control, so
// that a seeded server and a created one look exactly alike.

import { createHash } from 'node:crypto';
import type { Random } from '../random.js';
import type { Fault, Flavor, Image, Network, Nic, Server, Subnet, Tenant, Volume } from '../state.js';
import { STATUS_PRESETS } from './lifecycle.js';

export interface NicRequest {
  network: Network;
  subnet: Subnet;
  fixedIp?: string;
}

export interface RootVolumeRequest {
  sizeGb: number;
  volumeType: string;
  deleteOnTermination: boolean;
}

export interface ServerSpec {
  name: string;
  flavor: Flavor;
  /** The image the root disk was made from (for NHN's image facts in metadata). */
  image: Image | undefined;
  /** What the server shows as `image`: the imageRef, or "" when booted from a volume without one. */
  imageRef: string;
  zone: string;
  keyName: string | null;
  securityGroups: string[];
  nics: NicRequest[];
  metadata: Record<string, string>;
  /** Volume-backed root disk (every family but u2). */
  rootVolume?: RootVolumeRequest;
  reservationId: string;
  status: keyof typeof STATUS_PRESETS;
  createdAt: number;
  fault?: Fault;
  /** Whether the server ever booted; a failed build has no launched_at. */
  launched?: boolean;
  /** The compute host the scheduler chose; a random one of the zone when absent. */
  host?: string;
}

/**
 * Compute hosts per zone. Few on purpose: an anti-affinity placement policy can then run out of
 * hosts (NHN warns that a create that cannot be spread fails), as it would on a small real cell.
 */
export const HOSTS_PER_ZONE = 4;

export function hostName(zone: string, index: number): string {
  return `${zone}-compute-${String(index + 1).padStart(3, '0')}`;
}

/** Nova's hostId: sha224 of project id and compute host, so it differs per project; "" without a host. */
export function hostIdOf(tenantId: string, host: string): string {
  return host === '' ? '' : createHash('sha224').update(tenantId + host).digest('hex');
}

function macAddress(random: Random): string {
  return ['fa', '16', '3e', ...Array.from({ length: 3 }, () => random.hex(2))].join(':');
}

/** A port id derived from the interface's MAC, so it costs the seeded random sequence nothing. */
function portIdFor(tenantId: string, mac: string): string {
  const hex = createHash('sha1').update(`port:${tenantId}:${mac}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function nextAddress(subnet: Subnet): string {
  const [base] = subnet.cidr.split('/');
  const octets = base!.split('.').map(Number);
  subnet.lastHost += 1;
  // Leave .0-.9 to the gateway and services, as NHN's VPC subnets do; wrap before the broadcast address.
  if (subnet.lastHost > 254) subnet.lastHost = 10;
  return `${octets[0]}.${octets[1]}.${octets[2]}.${subnet.lastHost}`;
}

/** The next free data device: /dev/vda is always the root disk (a volume, or u2's local disk). */
export function nextDeviceName(server: Server): string {
  const used = new Set(server.volumes.map((v) => v.device));
  for (let i = 1; i < 26; i++) {
    const device = `/dev/vd${String.fromCharCode(97 + i)}`;
    if (!used.has(device)) return device;
  }
  return `/dev/vd${server.volumes.length}`;
}

/** The image facts NHN copies into server metadata for its console (api-facts.md section 1). */
function imageFacts(image: Image | undefined, rootSizeGb: number): Record<string, string> {
  if (!image) return {};
  const p = image.properties;
  const facts: Record<string, string> = {
    os_distro: p.os_distro ?? '',
    description: p.description ?? image.name,
    os_version: p.os_version ?? '',
    project_domain: 'NORMAL',
    hypervisor_type: p.hypervisor_type ?? 'qemu',
    monitoring_agent: 'sysmon',
    image_name: image.name,
    volume_size: String(rootSizeGb),
    os_architecture: p.os_architecture ?? 'amd64',
    login_username: p.login_username ?? '',
    os_type: p.os_type ?? '',
    tc_env: 'sysmon',
  };
  return facts;
}

export function createVolume(
  tenant: Tenant,
  random: Random,
  fields: Pick<Volume, 'name' | 'sizeGb' | 'zone' | 'volumeType' | 'bootable' | 'createdAt'> & Partial<Volume>,
): Volume {
  const volume: Volume = {
    id: random.uuid(),
    description: null,
    status: 'available',
    userId: tenant.account.userId,
    metadata: {},
    attachment: null,
    deleteOnTermination: false,
    ...fields,
  };
  tenant.volumes.set(volume.id, volume);
  return volume;
}

/** Marks a volume attached to a server, on both sides (server volumes_attached and Cinder attachments). */
export function linkVolume(server: Server, volume: Volume, device: string, at: number, random: Random): void {
  server.volumes.push({ volumeId: volume.id, device });
  volume.attachment = { serverId: server.id, device, attachmentId: random.uuid(), attachedAt: at };
  volume.status = 'in-use';
}

export function provisionServer(tenant: Tenant, random: Random, spec: ServerSpec): Server {
  const preset = STATUS_PRESETS[spec.status]!;
  const launched = spec.launched ?? (spec.status !== 'BUILD');
  const nics: Nic[] = spec.nics.map(({ network, subnet, fixedIp }) => {
    const mac = macAddress(random);
    return { networkId: network.id, networkName: network.name, subnetId: subnet.id, mac, ip: fixedIp ?? nextAddress(subnet), portId: portIdFor(tenant.id, mac) };
  });
  const rootSizeGb = spec.rootVolume?.sizeGb ?? spec.flavor.diskGb;
  const scheduled = launched || spec.status === 'BUILD';
  const offloaded = spec.status === 'SHELVED_OFFLOADED';
  const host = scheduled && !offloaded ? (spec.host ?? hostName(spec.zone, random.int(HOSTS_PER_ZONE))) : '';
  const server: Server = {
    id: random.uuid(),
    name: spec.name,
    tenantId: tenant.id,
    userId: tenant.account.userId,
    flavorId: spec.flavor.id,
    imageId: spec.imageRef,
    keyName: spec.keyName,
    zone: spec.zone,
    vmState: preset.vmState,
    taskState: preset.taskState,
    powerState: preset.powerState,
    createdAt: spec.createdAt,
    updatedAt: spec.createdAt,
    launchedAt: launched ? spec.createdAt + 30_000 : null,
    terminatedAt: null,
    securityGroups: [...spec.securityGroups],
    nics,
    volumes: [],
    metadata: { ...imageFacts(spec.image, rootSizeGb), ...spec.metadata },
    reservationId: spec.reservationId,
    fault: spec.fault ?? null,
    hostId: hostIdOf(tenant.id, host),
    host,
    ephemeralDiskGb: 0,
    protect: false,
    buildRequest: null,
  };
  if (spec.rootVolume) {
    // Nova creates a root volume with an empty name and description.
    const root = createVolume(tenant, random, {
      name: '',
      description: '',
      sizeGb: spec.rootVolume.sizeGb,
      zone: spec.zone,
      volumeType: spec.rootVolume.volumeType,
      bootable: true,
      createdAt: spec.createdAt,
      deleteOnTermination: spec.rootVolume.deleteOnTermination,
    });
    linkVolume(server, root, '/dev/vda', spec.createdAt, random);
  }
  tenant.addServer(server);
  return server;
}
