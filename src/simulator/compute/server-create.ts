// POST /servers after the schema: what the request names must exist, NHN's flavor and Windows
// rules, the instance quota, then the servers are made in BUILD and turn ACTIVE after the delay.

import type { RequestContext } from '../context.js';
import { novaError } from '../errors.js';
import { jsonReply, type Reply } from '../reply.js';
import type { Flavor, Image, Server, ServerGroup, Tenant, Volume, World } from '../state.js';
import { isUuid } from '../validation.js';
import { ZONES } from '../seed.js';
import { resourceLinks } from './flavors.js';
import { setRunning } from './lifecycle.js';
import { createVolume, hostIdOf, linkVolume, nextDeviceName, provisionServer, type NicRequest, type RootVolumeRequest } from './provision.js';
import { parseCreateServer, type BlockDevice, type CreateServerRequest, type NetworkEntry } from './server-request.js';
import { idFromHref } from './lookup.js';
import { chooseHost, isGpuFlavor, liveMembers, zoneOfHost } from './placement.js';

/** NHN: a root volume holds 1 TB (1000 GB) at most. */
const MAX_ROOT_VOLUME_GB = 1000;
/** NHN limits Windows host names (NetBIOS) to 15 characters. */
const WINDOWS_NAME_LIMIT = 15;

const badRequest = (message: string) => novaError(400, message);

interface BootPlan {
  /** The image the root disk comes from (its facts go into metadata and its minimums apply). */
  image: Image | undefined;
  imageRef: string;
  rootVolume?: RootVolumeRequest;
  /** Booting from an existing volume. */
  bootVolume?: Volume;
}

function findFlavor(world: World, flavorRef: string): Flavor {
  const flavor = world.flavorsById.get(idFromHref(flavorRef));
  if (!flavor) throw badRequest('Invalid flavorRef provided.');
  return flavor;
}

function findImage(world: World, tenant: Tenant, id: string): Image {
  const image = world.visibleImage(tenant, id);
  if (!image) throw badRequest('Can not find requested image');
  if (image.status !== 'active') throw badRequest(`Image ${id} is not active.`);
  return image;
}

function imageFromRef(world: World, tenant: Tenant, imageRef: string): Image {
  const id = idFromHref(imageRef);
  if (!isUuid(id)) throw badRequest('Invalid imageRef provided.');
  return findImage(world, tenant, id);
}

function rootVolumeFromImage(device: BlockDevice, image: Image): RootVolumeRequest {
  if (device.volumeSizeGb === undefined) throw badRequest("Images with destination_type 'volume' need to have a non-zero size specified");
  // The real NHN message for a root volume below the image's minimum (seen in the wild).
  if (device.volumeSizeGb < image.minDiskGb) throw badRequest('Volume size is too small.');
  if (device.volumeSizeGb > MAX_ROOT_VOLUME_GB) throw badRequest('Volume size is too large.');
  return { sizeGb: device.volumeSizeGb, volumeType: device.volumeType ?? 'General HDD', deleteOnTermination: device.deleteOnTermination };
}

function bootVolume(tenant: Tenant, device: BlockDevice, request: CreateServerRequest): Volume {
  const volume = tenant.volumes.get(device.uuid ?? '');
  if (!volume) throw badRequest(`Volume ${device.uuid} could not be found.`);
  if (request.maxCount > 1) throw badRequest('Cannot attach one or more volumes to multiple instances');
  if (volume.status !== 'available') throw badRequest(`Invalid volume: volume '${volume.id}' status must be 'available'. Currently in '${volume.status}'`);
  if (!volume.bootable) throw badRequest(`Block Device ${volume.id} is not bootable.`);
  return volume;
}

/** u2 and GPU flavors boot from local disk (NHN: destination_type local); every other family from a volume. */
function bootsFromLocalDisk(flavor: Flavor): boolean {
  return flavor.family === 'u2' || isGpuFlavor(flavor);
}

/** Where the root disk comes from: NHN wants a volume for every family but u2 and GPU, which boot from local disk. */
function planBoot(world: World, tenant: Tenant, flavor: Flavor, request: CreateServerRequest): BootPlan {
  const boot = request.blockDevices.find((d) => d.bootIndex === 0);
  const refImage = request.imageRef ? imageFromRef(world, tenant, request.imageRef) : undefined;
  if (!boot) {
    if (request.imageRef === undefined || request.imageRef === '') throw badRequest('Missing imageRef attribute');
    if (flavor.diskGb === 0) throw novaError(403, 'Only volume-backed servers are allowed for flavors with zero disk.');
    return { image: refImage, imageRef: refImage!.id };
  }
  if (boot.sourceType === 'blank' || boot.sourceType === undefined) {
    throw badRequest('Boot sequence for the instance and image/block device mapping combination is not valid.');
  }
  if (boot.sourceType === 'snapshot') throw badRequest(`Snapshot ${boot.uuid} could not be found.`);
  const wantsVolume = boot.destinationType === 'volume' || boot.sourceType === 'volume';
  if (flavor.family === 'u2' && wantsVolume) throw badRequest('U2 flavors boot from local disk: use destination_type local.');
  if (isGpuFlavor(flavor) && wantsVolume) throw badRequest('GPU flavors boot from local disk: use destination_type local.');
  if (!bootsFromLocalDisk(flavor) && !wantsVolume) throw novaError(403, 'Only volume-backed servers are allowed for flavors with zero disk.');
  if (boot.sourceType === 'volume') {
    const volume = bootVolume(tenant, boot, request);
    return { image: refImage, imageRef: refImage?.id ?? '', bootVolume: volume };
  }
  const image = findImage(world, tenant, boot.uuid ?? '');
  return {
    image,
    imageRef: refImage?.id ?? (request.imageRef === '' ? '' : image.id),
    rootVolume: wantsVolume ? rootVolumeFromImage(boot, image) : undefined,
  };
}

function checkImageRules(flavor: Flavor, image: Image | undefined, name: string, localDisk: boolean): void {
  if (!image) return;
  if (image.properties.os_type === 'windows') {
    if (flavor.family === 'u2') throw badRequest('Windows images cannot be used with U2 flavors.');
    if (name.length > WINDOWS_NAME_LIMIT) throw badRequest(`Windows instance names are limited to ${WINDOWS_NAME_LIMIT} characters.`);
  }
  if (flavor.ramMb < image.minRamMb) throw badRequest("Flavor's memory is too small for requested image.");
  if (localDisk && flavor.diskGb < image.minDiskGb) {
    throw badRequest(`Flavor's disk is too small for requested image. Flavor disk is ${flavor.diskGb * 1024 ** 3} bytes, image is ${image.minDiskGb * 1024 ** 3} bytes.`);
  }
}

/** Whether `ip` (dotted IPv4) lies in `cidr`. */
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toNumber = (address: string) => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits ?? 32));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base!) / size);
}

/**
 * One `networks` entry as NHN takes it: a network (`uuid`), a subnet (`subnet`, NHN's extension), a
 * port, or a fixed IP alone (NHN's guide: "one of network ID, port ID or fixed IP"; upstream Nova
 * would want a uuid beside it). A fixed IP must lie in the subnet it lands on (Neutron's messages).
 */
function resolveNic(tenant: Tenant, entry: NetworkEntry): NicRequest {
  if (entry.port) {
    if (entry.fixedIp !== undefined) {
      throw badRequest(`Specified Fixed IP '${entry.fixedIp}' cannot be used with port '${entry.port}': the two cannot be specified together.`);
    }
    // The simulator keeps no unbound ports, so every port id is unknown (Nova's PortNotFound).
    throw badRequest(`Port ${entry.port} could not be found.`);
  }
  if (entry.subnet !== undefined) {
    const subnet = tenant.subnets.find((s) => s.id === entry.subnet);
    if (!subnet) throw badRequest(`Subnet ${entry.subnet} could not be found.`);
    if (entry.fixedIp !== undefined && !inCidr(entry.fixedIp, subnet.cidr)) {
      throw badRequest(`IP address ${entry.fixedIp} is not a valid IP for the specified subnet.`);
    }
    return { network: tenant.networks.find((n) => n.id === subnet.networkId)!, subnet, fixedIp: entry.fixedIp };
  }
  if (entry.uuid === undefined) {
    if (entry.fixedIp === undefined) throw badRequest('Bad network format: missing uuid');
    const subnet = tenant.subnets.find((s) => inCidr(entry.fixedIp!, s.cidr));
    if (!subnet) throw badRequest(`IP address ${entry.fixedIp} is not a valid IP for any of the subnets on the specified network.`);
    return { network: tenant.networks.find((n) => n.id === subnet.networkId)!, subnet, fixedIp: entry.fixedIp };
  }
  if (!isUuid(entry.uuid)) throw badRequest(`Bad networks format: network uuid is not in proper format (${entry.uuid})`);
  const network = tenant.networks.find((n) => n.id === entry.uuid);
  if (!network) throw badRequest(`Network ${entry.uuid} could not be found.`);
  if (network.external) throw novaError(403, `It is not allowed to create an interface on external network ${network.id}`);
  const subnets = tenant.subnets.filter((s) => s.networkId === network.id);
  const subnet = entry.fixedIp === undefined ? subnets[0] : subnets.find((s) => inCidr(entry.fixedIp!, s.cidr));
  if (!subnet) throw badRequest(`IP address ${entry.fixedIp} is not a valid IP for any of the subnets on the specified network.`);
  return { network, subnet, fixedIp: entry.fixedIp };
}

function checkFixedIps(tenant: Tenant, nics: NicRequest[]): void {
  for (const nic of nics) {
    if (nic.fixedIp === undefined) continue;
    const owner = [...tenant.servers.values()].find((s) => s.nics.some((n) => n.ip === nic.fixedIp));
    if (owner) throw badRequest(`Fixed IP address ${nic.fixedIp} is already in use on instance ${owner.id}.`);
  }
}

/** How many servers to make: Nova lowers max_count to what the quota allows, down to min_count. */
function allowedCount(tenant: Tenant, request: CreateServerRequest): number {
  const used = tenant.servers.size;
  const room = tenant.quota.instances - used;
  if (room < request.minCount) {
    throw novaError(403, `Quota exceeded for instances: Requested ${request.maxCount}, but already used ${used} of ${tenant.quota.instances} instances`);
  }
  return Math.min(request.maxCount, room);
}

/** Extra (non-boot) block devices: new blank volumes or existing ones, attached after the root. */
function attachExtraDevices(ctx: RequestContext, server: Server, devices: BlockDevice[]): void {
  for (const device of devices) {
    let volume: Volume | undefined;
    if (device.sourceType === 'blank' && device.volumeSizeGb !== undefined) {
      volume = createVolume(ctx.tenant, ctx.world.ids, {
        name: null, sizeGb: device.volumeSizeGb, zone: server.zone, volumeType: device.volumeType ?? 'General HDD', bootable: false,
        createdAt: ctx.now, deleteOnTermination: device.deleteOnTermination,
      });
    } else if (device.sourceType === 'volume') {
      volume = ctx.tenant.volumes.get(device.uuid ?? '');
      if (!volume || volume.status !== 'available') continue;
    }
    if (volume) linkVolume(server, volume, nextDeviceName(server), ctx.now, ctx.world.ids);
  }
}

/**
 * The server group named by `os:scheduler_hints.group`: it must exist (Nova's InstanceGroupNotFound,
 * given as 400 here), and its members plus the new servers must stay within the
 * server_group_members quota (10), else 403 as Nova's compute API words it.
 */
function requestedGroup(tenant: Tenant, request: CreateServerRequest): ServerGroup | undefined {
  if (request.group === undefined) return undefined;
  const group = tenant.serverGroups.get(request.group);
  if (!group) throw badRequest(`Instance group ${request.group} could not be found.`);
  if (liveMembers(tenant, group).length + request.maxCount > tenant.quota.serverGroupMembers) {
    throw novaError(403, 'Quota exceeded, too many servers in group');
  }
  return group;
}

function validateReferences(ctx: RequestContext, request: CreateServerRequest) {
  const { world, tenant } = ctx;
  const flavor = findFlavor(world, request.flavorRef);
  if (request.minCount > request.maxCount) throw badRequest('min_count must be <= max_count');
  const boot = planBoot(world, tenant, flavor, request);
  if (!tenant.keypairs.has(request.keyName)) throw badRequest('Invalid key_name provided.');
  const nics = request.networks.map((entry) => resolveNic(tenant, entry));
  checkFixedIps(tenant, nics);
  for (const name of request.securityGroups) {
    if (!tenant.securityGroups.has(name)) throw badRequest(`Security group ${name} not found.`);
  }
  if (request.zone !== undefined && !(ZONES as readonly string[]).includes(request.zone)) {
    throw badRequest('The requested availability zone is not available');
  }
  if (boot.bootVolume && request.zone !== undefined && boot.bootVolume.zone !== request.zone) {
    throw badRequest(`Instance and volume are not in the same availability_zone. Instance is in ${request.zone}. Volume is in ${boot.bootVolume.zone}`);
  }
  checkImageRules(flavor, boot.image, request.name, bootsFromLocalDisk(flavor));
  const allowedItems = tenant.quota.metadataItems;
  if (Object.keys(request.metadata).length > allowedItems) throw novaError(403, `Maximum number of metadata items exceeds ${allowedItems}`);
  return { flavor, boot, nics, group: requestedGroup(tenant, request) };
}

/** Nova's NoValidHost: vm_state error, no port, the fault non-admins see (no details for a 500). */
function failScheduling(server: Server, at: number): void {
  server.vmState = 'error';
  server.powerState = 0;
  server.nics = [];
  server.fault = { code: 500, message: 'No valid host was found. There are not enough hosts available.', details: '', createdAt: at };
}

/**
 * A new server is first a build request (task `scheduling`, no instance row); once scheduled to a
 * cell its row is written (`updated` set, task `spawning`) and it turns ACTIVE at the end of the build
 * delay. Nova's conductor and compute move the same task states (compute/manager.py _build_and_run_instance).
 */
function startBuild(ctx: RequestContext, server: Server): void {
  const { world, tenant } = ctx;
  server.buildRequest = { renamedAt: null };
  server.taskState = 'scheduling';
  server.hostId = '';
  tenant.changed(server);
  const scheduleAt = ctx.now + Math.min(world.scheduleDelayMs, world.buildDelayMs);
  world.scheduler.schedule(scheduleAt, (at) => {
    if (tenant.servers.get(server.id) !== server) return;
    server.buildRequest = null;
    // No host left for its placement policy: NoValidHost, as Nova's conductor fails a build it cannot place.
    if (server.host === '') {
      server.taskState = null;
      failScheduling(server, at);
      tenant.touch(server, at);
      return;
    }
    server.hostId = hostIdOf(tenant.id, server.host ?? '');
    server.taskState = 'spawning';
    tenant.touch(server, at);
  });
  world.scheduler.schedule(ctx.now + world.buildDelayMs, (at) => {
    if (tenant.servers.get(server.id) !== server || server.vmState === 'error') return;
    server.taskState = null;
    setRunning(server);
    server.launchedAt = at;
    tenant.touch(server, at);
  });
}

export function createServer(ctx: RequestContext): Reply {
  const request = parseCreateServer(ctx.body);
  const { flavor, boot, nics, group } = validateReferences(ctx, request);
  const count = allowedCount(ctx.tenant, request);
  const reservationId = `r-${ctx.world.ids.alnum(8)}`;
  // NHN picks a zone at random when none is given; a boot volume decides it.
  const zone = request.zone ?? boot.bootVolume?.zone ?? ZONES[ctx.world.ids.int(ZONES.length)]!;
  const servers: Server[] = [];
  const pinnedZone = request.zone ?? boot.bootVolume?.zone;
  for (let i = 0; i < count; i++) {
    // A placement policy is honoured host by host; without a zone the host decides it. No host left
    // means the build fails (ERROR, NoValidHost) after the delay, as a real scheduling failure does.
    const host = group ? chooseHost(ctx.world, ctx.tenant, pinnedZone, group) : undefined;
    const server = provisionServer(ctx.tenant, ctx.world.ids, {
      // Nova names the servers of a multiple create "<name>-1", "<name>-2"...
      name: count > 1 ? `${request.name}-${i + 1}` : request.name,
      flavor,
      image: boot.image,
      imageRef: boot.imageRef,
      zone: group && host !== undefined && pinnedZone === undefined ? zoneOfHost(host) : zone,
      host: group ? (host ?? '') : undefined,
      keyName: request.keyName,
      securityGroups: request.securityGroups,
      nics,
      metadata: request.metadata,
      rootVolume: boot.rootVolume,
      reservationId,
      status: 'BUILD',
      createdAt: ctx.now,
    });
    if (boot.bootVolume) linkVolume(server, boot.bootVolume, '/dev/vda', ctx.now, ctx.world.ids);
    attachExtraDevices(ctx, server, request.blockDevices.filter((d) => d.bootIndex !== 0));
    group?.memberIds.push(server.id);
    startBuild(ctx, server);
    servers.push(server);
  }
  if (request.returnReservationId) return jsonReply(202, { reservation_id: reservationId });
  const first = servers[0]!;
  return jsonReply(202, {
    server: { security_groups: first.securityGroups.map((name) => ({ name })), id: first.id, links: resourceLinks(ctx.roots, 'servers', first.id) },
  });
}
