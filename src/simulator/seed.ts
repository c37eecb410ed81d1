// Demo data that looks like a real NHN Cloud project (KR1): the NHN flavor families, public images
// with NHN's image properties, zones kr-pub-a/kr-pub-b, a VPC, servers in several states, volumes and
// keypairs. Everything derives from the seed, so two simulators with the same seed hold the same ids.

import { createHash } from 'node:crypto';
import { Random, hashString } from './random.js';
import { Tenant, type Account, type Flavor, type Image, type World } from './state.js';
import { STATUS_PRESETS } from './compute/lifecycle.js';
import { createVolume, linkVolume, provisionServer, type ServerSpec } from './compute/provision.js';
import { ed25519PublicKeyFromSeed } from './compute/ssh-keys.js';
import { seedFloatingIps } from './network/floating-ips.js';
import { newSecurityGroup } from './network/security-groups.js';

export const ZONES = ['kr-pub-a', 'kr-pub-b'] as const;

/** The NHN-internal project that owns public images and the shared external network. */
export const NHN_SERVICE_PROJECT = 'c289b99209ca4e189095cdecebbd092d';
const SEED_EPOCH = Date.UTC(2025, 2, 3, 1, 15, 46);
const HOUR = 3_600_000;
const GB = 1024 ** 3;

type FlavorRow = [name: string, vcpus: number, ramGb: number, localDiskGb: number];

const FLAVOR_ROWS: FlavorRow[] = [
  ['u2.c1m1', 1, 1, 20], ['u2.c2m4', 2, 4, 50], ['u2.c4m8', 4, 8, 100],
  ['t2.c1m1', 1, 1, 0], ['t2.c2m4', 2, 4, 0],
  ['m2.c1m2', 1, 2, 0], ['m2.c2m4', 2, 4, 0], ['m2.c4m8', 4, 8, 0], ['m2.c8m16', 8, 16, 0],
  ['c2.c2m2', 2, 2, 0], ['c2.c4m4', 4, 4, 0], ['c2.c8m8', 8, 8, 0], ['c2.c16m16', 16, 16, 0],
  ['r2.c2m16', 2, 16, 0], ['r2.c4m32', 4, 32, 0], ['r2.c8m64', 8, 64, 0],
  ['x1.c32m128', 32, 128, 0], ['x1.c32m256', 32, 256, 0],
  // A GPU flavor (local disk, no "terminate"); NHN's GPU flavor names and sizes are not verified.
  ['g2.c8m90', 8, 90, 100],
];

// Only x1's extra_specs value ("performance") is documented by NHN; the others follow its pattern.
const FLAVOR_TYPES: Record<Flavor['family'], string> = {
  u2: 'local', t2: 'burstable', m2: 'general', c2: 'compute', r2: 'memory', x1: 'performance', g2: 'gpu',
};

function seedFlavors(random: Random): Flavor[] {
  return FLAVOR_ROWS.map(([name, vcpus, ramGb, diskGb]) => {
    const family = name.slice(0, 2) as Flavor['family'];
    return { id: random.uuid(), name, family, vcpus, ramMb: ramGb * 1024, diskGb, extraSpecs: { flavor_type: FLAVOR_TYPES[family] } };
  });
}

interface ImageRow {
  name: string;
  osType: 'linux' | 'windows';
  distro: string;
  version: string;
  login: string;
  sizeGb: number;
}

const PUBLIC_IMAGES: ImageRow[] = [
  { name: 'Ubuntu Server 22.04.4 LTS (2024.06.18)', osType: 'linux', distro: 'Ubuntu', version: 'Server 22.04 LTS', login: 'ubuntu', sizeGb: 1.1 },
  { name: 'Ubuntu Server 20.04.6 LTS (2024.06.18)', osType: 'linux', distro: 'Ubuntu', version: 'Server 20.04 LTS', login: 'ubuntu', sizeGb: 1.0 },
  { name: 'Rocky Linux 9.4 (2024.06.18)', osType: 'linux', distro: 'Rocky', version: '9.4', login: 'rocky', sizeGb: 1.3 },
  { name: 'Rocky Linux 8.10 (2024.06.18)', osType: 'linux', distro: 'Rocky', version: '8.10', login: 'rocky', sizeGb: 1.2 },
  { name: 'Windows 2022 STD (2024.06.18) EN', osType: 'windows', distro: 'Windows', version: '2022 STD', login: 'Administrator', sizeGb: 11.4 },
  { name: 'Windows 2019 STD (2024.06.18) KO', osType: 'windows', distro: 'Windows', version: '2019 STD', login: 'Administrator', sizeGb: 10.8 },
];

/** NHN's public image minimums: Windows needs 50 GB and 2 GB RAM, Linux 20 GB (console guide). */
function imageMinimums(osType: 'linux' | 'windows'): { minDiskGb: number; minRamMb: number } {
  return osType === 'windows' ? { minDiskGb: 50, minRamMb: 2048 } : { minDiskGb: 20, minRamMb: 0 };
}

function seedPublicImages(random: Random): Image[] {
  const created = Date.UTC(2024, 5, 18, 2, 17, 43);
  return PUBLIC_IMAGES.map((row, i) => ({
    id: random.uuid(),
    name: row.name,
    status: 'active',
    visibility: 'public',
    owner: NHN_SERVICE_PROJECT,
    protected: true,
    ...imageMinimums(row.osType),
    sizeBytes: Math.round(row.sizeGb * GB),
    checksum: createHash('md5').update(row.name).digest('hex'),
    containerFormat: 'bare',
    diskFormat: 'qcow2',
    createdAt: created + i * 60_000,
    updatedAt: created + i * 60_000 + 12 * HOUR,
    properties: {
      os_type: row.osType,
      os_distro: row.distro,
      os_version: row.version,
      login_username: row.login,
      hypervisor_type: 'qemu',
      os_architecture: 'amd64',
      description: row.name.replace(/ (EN|KO)$/, ''),
    },
  }));
}

/** Flavors and public images, shared by every tenant as on NHN. */
export function seedWorld(world: World): void {
  const random = new Random(world.seed);
  world.setFlavors(seedFlavors(random));
  world.images.clear();
  for (const image of seedPublicImages(random)) world.images.set(image.id, image);
}

function flavorNamed(world: World, name: string): Flavor {
  const flavor = world.flavors.find((f) => f.name === name);
  if (!flavor) throw new Error(`no flavor named ${name}`);
  return flavor;
}

function publicImage(world: World, namePrefix: string): Image {
  const image = [...world.images.values()].find((i) => i.visibility === 'public' && i.name.startsWith(namePrefix));
  if (!image) throw new Error(`seed image ${namePrefix} missing`);
  return image;
}

function seedNetworking(tenant: Tenant, random: Random): void {
  const at = SEED_EPOCH - 31 * 24 * HOUR;
  // NHN's default group blocks all inbound traffic: it has only the two egress rules.
  tenant.securityGroups.set('default', newSecurityGroup(random, { name: 'default', description: 'Default security group', at }));
  const web = (port: number) => ({ protocol: 'tcp', portRangeMin: port, portRangeMax: port, remoteIpPrefix: '0.0.0.0/0' });
  tenant.securityGroups.set('web', newSecurityGroup(random, { name: 'web', description: 'HTTP and HTTPS from anywhere', at }, [web(80), web(443)]));
  const vpcId = random.uuid();
  const subnetId = random.uuid();
  tenant.networks.push(
    { id: vpcId, name: 'Default Network', external: false, subnetIds: [subnetId] },
    { id: random.uuid(), name: 'Public Network', external: true, subnetIds: [] },
  );
  tenant.subnets.push({ id: subnetId, name: 'Default Network', networkId: vpcId, cidr: '192.168.0.0/24', gatewayIp: '192.168.0.1', lastHost: 9 });
}

function seedKeypairs(tenant: Tenant, random: Random): void {
  ['demo-key', 'ops-key'].forEach((name, i) => {
    const { publicKey, fingerprint } = ed25519PublicKeyFromSeed(random.bytes(32), `${name}@nhn-demo`);
    tenant.keypairs.set(name, {
      id: tenant.nextKeypairRowId++,
      name,
      publicKey,
      fingerprint,
      userId: tenant.account.userId,
      createdAt: SEED_EPOCH - (30 - i) * 24 * HOUR,
    });
  });
}

type SeedServer = Pick<ServerSpec, 'name' | 'zone' | 'status' | 'securityGroups' | 'keyName'> & {
  flavor: string;
  image: string;
  rootGb?: number;
  volumeType?: string;
  launched?: boolean;
};

const SEED_SERVERS: SeedServer[] = [
  { name: 'web-01', flavor: 'm2.c2m4', image: 'Ubuntu Server 22.04', zone: 'kr-pub-a', status: 'ACTIVE', securityGroups: ['default', 'web'], keyName: 'demo-key', rootGb: 20 },
  { name: 'db-01', flavor: 'r2.c2m16', image: 'Rocky Linux 9.4', zone: 'kr-pub-a', status: 'ACTIVE', securityGroups: ['default'], keyName: 'demo-key', rootGb: 50, volumeType: 'General SSD' },
  { name: 'batch-01', flavor: 'c2.c4m4', image: 'Rocky Linux 8.10', zone: 'kr-pub-b', status: 'SHUTOFF', securityGroups: ['default'], keyName: 'ops-key', rootGb: 20 },
  { name: 'win-01', flavor: 'm2.c4m8', image: 'Windows 2022 STD', zone: 'kr-pub-b', status: 'ACTIVE', securityGroups: ['default'], keyName: 'ops-key', rootGb: 50 },
  { name: 'dev-u2', flavor: 'u2.c1m1', image: 'Ubuntu Server 22.04', zone: 'kr-pub-a', status: 'ACTIVE', securityGroups: ['default'], keyName: 'demo-key' },
  { name: 'build-failed', flavor: 'm2.c2m4', image: 'Ubuntu Server 20.04', zone: 'kr-pub-b', status: 'ERROR', securityGroups: ['default'], keyName: 'demo-key', launched: false },
];

/** The fault Nova records when scheduling fails; details are hidden from non-admins for code 500. */
function noValidHostFault(at: number) {
  return { code: 500, message: 'No valid host was found. There are not enough hosts available.', details: '', createdAt: at };
}

function seedServers(world: World, tenant: Tenant, random: Random): void {
  const [vpc] = tenant.networks;
  const [subnet] = tenant.subnets;
  SEED_SERVERS.forEach((row, i) => {
    const image = publicImage(world, row.image);
    const createdAt = SEED_EPOCH + i * 7 * HOUR;
    provisionServer(tenant, random, {
      ...row,
      flavor: flavorNamed(world, row.flavor),
      image,
      imageRef: image.id,
      // A build that failed in scheduling never got a port.
      nics: row.launched === false ? [] : [{ network: vpc!, subnet: subnet! }],
      metadata: {},
      rootVolume: row.rootGb === undefined || row.launched === false ? undefined : { sizeGb: row.rootGb, volumeType: row.volumeType ?? 'General HDD', deleteOnTermination: true },
      reservationId: `r-${random.alnum(8)}`,
      createdAt,
      fault: row.status === 'ERROR' ? noValidHostFault(createdAt + 40_000) : undefined,
    });
  });
}

function seedVolumes(tenant: Tenant, random: Random): void {
  const db = [...tenant.servers.values()].find((s) => s.name === 'db-01')!;
  const data = createVolume(tenant, random, {
    name: 'db-data', sizeGb: 100, zone: db.zone, volumeType: 'General SSD', bootable: false, createdAt: SEED_EPOCH + 8 * HOUR,
  });
  linkVolume(db, data, '/dev/vdb', SEED_EPOCH + 9 * HOUR, random);
  createVolume(tenant, random, { name: 'spare-a', sizeGb: 50, zone: 'kr-pub-a', volumeType: 'General SSD', bootable: false, createdAt: SEED_EPOCH + 50 * HOUR });
  createVolume(tenant, random, { name: 'spare-b', sizeGb: 100, zone: 'kr-pub-b', volumeType: 'General HDD', bootable: false, createdAt: SEED_EPOCH + 51 * HOUR });
}

function seedPrivateImage(world: World, tenant: Tenant, random: Random): void {
  const base = publicImage(world, 'Ubuntu Server 22.04');
  const createdAt = SEED_EPOCH + 60 * HOUR;
  const image: Image = {
    ...base,
    id: random.uuid(),
    name: 'web-01-snapshot (2025.03.05)',
    visibility: 'private',
    owner: tenant.id,
    protected: false,
    checksum: random.hex(32),
    createdAt,
    updatedAt: createdAt + 5 * 60_000,
    properties: { ...base.properties, description: 'web-01 snapshot' },
  };
  world.images.set(image.id, image);
}

/** A tenant with its demo data; the same account and seed always give the same data. */
export function seedTenant(world: World, account: Account): Tenant {
  const random = new Random(world.seed ^ hashString(account.tenantId));
  const tenant = new Tenant(account);
  seedNetworking(tenant, random);
  seedKeypairs(tenant, random);
  seedServers(world, tenant, random);
  seedFloatingIps(world, tenant, SEED_EPOCH + HOUR);
  seedVolumes(tenant, random);
  seedPrivateImage(world, tenant, random);
  // After everything else, so that the ids drawn before stay what they were.
  seedSnapshots(tenant, random);
  return tenant;
}

/** A nightly snapshot of the database volume (taken in-use, with `force`, as backups are). */
function seedSnapshots(tenant: Tenant, random: Random): void {
  const data = [...tenant.volumes.values()].find((v) => v.name === 'db-data')!;
  const id = random.uuid();
  tenant.snapshots.set(id, {
    id,
    name: 'db-data-nightly',
    description: 'nightly backup',
    volumeId: data.id,
    sizeGb: data.sizeGb,
    status: 'available',
    progress: '100%',
    createdAt: SEED_EPOCH + 70 * HOUR,
    metadata: {},
  });
}

/**
 * Adds settled servers cheaply (benchmarks want 100+ servers). The instance quota grows with them,
 * so the room left for POST /servers stays what it was.
 */
export function addBulkServers(
  world: World,
  tenant: Tenant,
  count: number,
  options: { status: keyof typeof STATUS_PRESETS; flavorName: string; now: number },
): void {
  const { status, now } = options;
  const flavor = flavorNamed(world, options.flavorName);
  const image = publicImage(world, 'Ubuntu Server 22.04');
  const [vpc] = tenant.networks;
  const [subnet] = tenant.subnets;
  const first = tenant.servers.size + tenant.deletedServers.length;
  for (let i = 0; i < count; i++) {
    const zone = ZONES[i % ZONES.length]!;
    const createdAt = now;
    const fault = status === 'ERROR' ? { code: 500, message: `Connection to the hypervisor is broken on host: ${zone}-compute-007`, details: '', createdAt } : undefined;
    provisionServer(tenant, world.ids, {
      name: `bulk-${String(first + i + 1).padStart(4, '0')}`,
      flavor,
      image,
      imageRef: image.id,
      zone,
      keyName: 'demo-key',
      securityGroups: ['default'],
      nics: [{ network: vpc!, subnet: subnet! }],
      metadata: {},
      // u2 and GPU boot from local disk; every other family from a root volume.
      rootVolume: flavor.family === 'u2' || flavor.family === 'g2' ? undefined : { sizeGb: 20, volumeType: 'General HDD', deleteOnTermination: true },
      reservationId: `r-${world.ids.alnum(8)}`,
      status,
      createdAt,
      fault,
    });
  }
  tenant.quota.instances += count;
}
