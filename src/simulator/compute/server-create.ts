// POST /servers after the schema: what the request names must exist, NHN's flavor and Windows
// rules, the instance quota, then the servers are made in BUILD and turn ACTIVE after the delay.

import type { RequestContext } from '../context.js';
import { novaError } from '../errors.js';
import { jsonReply, type Reply } from '../reply.js';
import type { Flavor, Image, Server, Tenant, Volume, World } from '../state.js';
import { isUuid } from '../validation.js';
import { ZONES } from '../seed.js';
import { resourceLinks } from './flavors.js';
import { setRunning } from './lifecycle.js';
import { createVolume, hostIdFor, linkVolume, nextDeviceName, provisionServer, type NicRequest, type RootVolumeRequest } from './provision.js';
import { parseCreateServer, type BlockDevice, type CreateServerRequest, type NetworkEntry } from './server-request.js';
import { idFromHref } from './lookup.js';

/** NHN: a root volume holds 1 TB (1000 GB) at most. */
const MAX_ROOT_VOLUME_GB = 1000;
/** Nova's default metadata_items quota. */
const METADATA_ITEMS_QUOTA = 128;
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

/** Where the root disk comes from: NHN wants a volume for every family but u2, which boots from local disk. */
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
  if (flavor.family !== 'u2' && !wantsVolume) throw novaError(403, 'Only volume-backed servers are allowed for flavors with zero disk.');
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

function resolveNic(tenant: Tenant, entry: NetworkEntry): NicRequest {
  if (entry.port) throw badRequest(`Port ${entry.port} could not be found.`);
  if (entry.subnet !== undefined) {
    const subnet = tenant.subnets.find((s) => s.id === entry.subnet);
    if (!subnet) throw badRequest(`Subnet ${entry.subnet} could not be found.`);
    return { network: tenant.networks.find((n) => n.id === subnet.networkId)!, subnet, fixedIp: entry.fixedIp };
  }
  if (entry.uuid === undefined) throw badRequest('Bad network format: missing uuid');
  if (!isUuid(entry.uuid)) throw badRequest(`Bad networks format: network uuid is not in proper format (${entry.uuid})`);
  const network = tenant.networks.find((n) => n.id === entry.uuid);
  if (!network) throw badRequest(`Network ${entry.uuid} could not be found.`);
  if (network.external) throw novaError(403, `It is not allowed to create an interface on external network ${network.id}`);
  const subnet = tenant.subnets.find((s) => s.networkId === network.id)!;
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
  checkImageRules(flavor, boot.image, request.name, flavor.family === 'u2');
  if (Object.keys(request.metadata).length > METADATA_ITEMS_QUOTA) throw novaError(403, `Maximum number of metadata items exceeds ${METADATA_ITEMS_QUOTA}`);
  return { flavor, boot, nics };
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
    server.hostId = hostIdFor(tenant.id, server.zone, world.ids);
    server.taskState = 'spawning';
    tenant.touch(server, at);
  });
  world.scheduler.schedule(ctx.now + world.buildDelayMs, (at) => {
    if (tenant.servers.get(server.id) !== server) return;
    server.taskState = null;
    setRunning(server);
    server.launchedAt = at;
    tenant.touch(server, at);
  });
}

export function createServer(ctx: RequestContext): Reply {
  const request = parseCreateServer(ctx.body);
  const { flavor, boot, nics } = validateReferences(ctx, request);
  const count = allowedCount(ctx.tenant, request);
  const reservationId = `r-${ctx.world.ids.alnum(8)}`;
  // NHN picks a zone at random when none is given; a boot volume decides it.
  const zone = request.zone ?? boot.bootVolume?.zone ?? ZONES[ctx.world.ids.int(ZONES.length)]!;
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = provisionServer(ctx.tenant, ctx.world.ids, {
      // Nova names the servers of a multiple create "<name>-1", "<name>-2"...
      name: count > 1 ? `${request.name}-${i + 1}` : request.name,
      flavor,
      image: boot.image,
      imageRef: boot.imageRef,
      zone,
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
    startBuild(ctx, server);
    servers.push(server);
  }
  if (request.returnReservationId) return jsonReply(202, { reservation_id: reservationId });
  const first = servers[0]!;
  return jsonReply(202, {
    server: { security_groups: first.securityGroups.map((name) => ({ name })), id: first.id, links: resourceLinks(ctx.roots, 'servers', first.id) },
  });
}
