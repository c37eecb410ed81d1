// The schema of POST /servers on /v2 (Nova's servers.create_v20, api-facts.md section 3), with the
// fields NHN requires on top (networks, key_name). It checks shapes only; server-create.ts checks
// what the request refers to. Unknown keys are ignored, as Nova's legacy-v2 mode strips them.

import {
  checkBoolean,
  checkEnum,
  checkLength,
  checkMetadata,
  checkName,
  checkPattern,
  checkPositiveInteger,
  checkType,
  checkUuid,
  formatError,
  invalid,
  isBase64,
  isIpv4,
  requireKey,
  requireObject,
  type Json,
} from '../validation.js';

/** NHN caps one request at 10 servers (upstream Nova has no schema bound; quota limits it). */
export const MAX_COUNT_LIMIT = 10;

export interface NetworkEntry {
  uuid?: string;
  /** NHN's extension: a subnet id instead of a network. */
  subnet?: string;
  port?: string | null;
  fixedIp?: string;
}

export interface BlockDevice {
  sourceType?: 'image' | 'volume' | 'snapshot' | 'blank';
  destinationType?: 'local' | 'volume';
  uuid?: string;
  bootIndex: number | null;
  volumeSizeGb?: number;
  deleteOnTermination: boolean;
  volumeType?: string;
}

export interface CreateServerRequest {
  name: string;
  /** undefined when absent, "" when sent empty (boot from volume). */
  imageRef: string | undefined;
  flavorRef: string;
  networks: NetworkEntry[];
  keyName: string;
  securityGroups: string[];
  zone: string | undefined;
  metadata: Record<string, string>;
  blockDevices: BlockDevice[];
  minCount: number;
  maxCount: number;
  returnReservationId: boolean;
  /** `os:scheduler_hints.group`: the server group (NHN placement policy) the new servers join. */
  group: string | undefined;
}

type Path = (string | number)[];

function networkEntry(path: Path, value: unknown): NetworkEntry {
  const item = requireObject(path, value);
  const entry: NetworkEntry = {};
  if (item.fixed_ip !== undefined) {
    checkType([...path, 'fixed_ip'], item.fixed_ip, ['string']);
    if (!isIpv4(item.fixed_ip as string)) throw invalid([...path, 'fixed_ip'], item.fixed_ip, `'${item.fixed_ip}' is not valid under any of the given schemas`);
    entry.fixedIp = item.fixed_ip as string;
  }
  if (item.port !== undefined && item.port !== null) entry.port = checkUuid([...path, 'port'], item.port);
  if (item.uuid !== undefined) {
    checkType([...path, 'uuid'], item.uuid, ['string']);
    entry.uuid = item.uuid as string;
  }
  if (item.subnet !== undefined) {
    checkType([...path, 'subnet'], item.subnet, ['string']);
    entry.subnet = item.subnet as string;
  }
  return entry;
}

function blockDevice(path: Path, value: unknown): BlockDevice {
  const item = requireObject(path, value);
  const device: BlockDevice = { bootIndex: null, deleteOnTermination: false };
  if (item.source_type !== undefined) {
    checkEnum([...path, 'source_type'], item.source_type, ['volume', 'image', 'snapshot', 'blank']);
    device.sourceType = item.source_type as BlockDevice['sourceType'];
  }
  if (item.destination_type !== undefined) {
    checkEnum([...path, 'destination_type'], item.destination_type, ['local', 'volume']);
    device.destinationType = item.destination_type as BlockDevice['destinationType'];
  }
  if (item.uuid !== undefined) {
    checkType([...path, 'uuid'], item.uuid, ['string']);
    checkLength([...path, 'uuid'], item.uuid as string, 1, 255);
    checkPattern([...path, 'uuid'], item.uuid as string, /^[a-zA-Z0-9._-]*$/, '^[a-zA-Z0-9._-]*$');
    device.uuid = item.uuid as string;
  }
  if (item.boot_index !== undefined && item.boot_index !== null) {
    checkType([...path, 'boot_index'], item.boot_index, ['integer', 'string', 'null']);
    checkPattern([...path, 'boot_index'], String(item.boot_index), /^-?[0-9]+$/, '^-?[0-9]+$');
    device.bootIndex = Number(item.boot_index);
  }
  if (item.volume_size !== undefined) {
    checkType([...path, 'volume_size'], item.volume_size, ['integer', 'string']);
    checkPattern([...path, 'volume_size'], String(item.volume_size), /^[0-9]+$/, '^[0-9]+$');
    const size = Number(item.volume_size);
    if (size < 1) throw invalid([...path, 'volume_size'], item.volume_size, `${item.volume_size} is less than the minimum of 1`);
    if (size > 2147483647) throw invalid([...path, 'volume_size'], item.volume_size, `${item.volume_size} is greater than the maximum of 2147483647`);
    device.volumeSizeGb = size;
  }
  if (item.delete_on_termination !== undefined) {
    device.deleteOnTermination = checkBoolean([...path, 'delete_on_termination'], item.delete_on_termination);
  }
  // NHN accepts a Cinder type name here ("General SSD"); upstream only from microversion 2.67.
  if (typeof item.volume_type === 'string') device.volumeType = item.volume_type;
  return device;
}

function listOf<T>(path: Path, value: unknown, item: (path: Path, value: unknown) => T): T[] {
  checkType(path, value, ['array']);
  return (value as unknown[]).map((v, i) => item([...path, i], v));
}

function securityGroupNames(path: Path, value: unknown): string[] {
  const names = listOf(path, value, (itemPath, item) => {
    const group = requireObject(itemPath, item);
    if (group.name === undefined) return undefined;
    checkType([...itemPath, 'name'], group.name, ['string']);
    checkLength([...itemPath, 'name'], group.name as string, 1, 255);
    return group.name as string;
  });
  // Nova collapses duplicate names.
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

/**
 * Nova reads the hints at the top level of the body, beside `server` (`os:scheduler_hints`, or the
 * older `OS-SCH-HNT:scheduler_hints`); `group` is a uuid. Hints inside `server` are stripped unread.
 */
function schedulerGroup(root: Json): string | undefined {
  const key = root['os:scheduler_hints'] !== undefined ? 'os:scheduler_hints' : 'OS-SCH-HNT:scheduler_hints';
  const hints = root[key];
  if (hints === undefined) return undefined;
  const object = requireObject([key], hints);
  if (object.group === undefined) return undefined;
  return checkUuid([key, 'group'], object.group);
}

/** The jsonschema pass over `server`: each present property in schema order, then the required ones. */
export function parseCreateServer(body: unknown): CreateServerRequest {
  const root = requireObject([], body);
  const server = requireObject(['server'], requireKey([], root, 'server'));
  const p = (key: string): Path => ['server', key];
  const has = (key: string) => server[key] !== undefined;

  const name = has('name') ? checkName(p('name'), server.name) : undefined;
  let imageRef: string | undefined;
  if (has('imageRef')) {
    checkType(p('imageRef'), server.imageRef, ['string']);
    imageRef = server.imageRef as string;
  }
  if (has('flavorRef')) {
    checkType(p('flavorRef'), server.flavorRef, ['string', 'integer']);
    checkLength(p('flavorRef'), String(server.flavorRef), 1, Infinity);
  }
  const metadata = has('metadata') ? checkMetadata(p('metadata'), server.metadata) : {};
  const networks = has('networks') ? listOf(p('networks'), server.networks, networkEntry) : [];
  const zone = has('availability_zone') ? checkName(p('availability_zone'), server.availability_zone) : undefined;
  const blockDevices = has('block_device_mapping_v2') ? listOf(p('block_device_mapping_v2'), server.block_device_mapping_v2, blockDevice) : [];
  if (has('key_name')) checkName(p('key_name'), server.key_name);
  const minCount = has('min_count') ? checkPositiveInteger(p('min_count'), server.min_count, MAX_COUNT_LIMIT) : 1;
  const maxCount = has('max_count') ? checkPositiveInteger(p('max_count'), server.max_count, MAX_COUNT_LIMIT) : minCount;
  const returnReservationId = has('return_reservation_id') ? checkBoolean(p('return_reservation_id'), server.return_reservation_id) : false;
  const securityGroups = has('security_groups') ? securityGroupNames(p('security_groups'), server.security_groups) : [];
  if (server.user_data !== undefined && server.user_data !== null) {
    checkType(p('user_data'), server.user_data, ['string', 'null']);
    if (!isBase64(server.user_data as string)) throw formatError(p('user_data'), server.user_data, 'base64');
    checkLength(p('user_data'), server.user_data as string, 0, 65535);
  }

  // Nova requires name and flavorRef; NHN also networks and key_name (block_device_mapping_v2 for
  // every flavor but u2 is checked once the flavor is known).
  for (const key of ['name', 'flavorRef', 'networks', 'key_name']) requireKey(['server'], server as Json, key);

  return {
    group: schedulerGroup(root),
    name: name!,
    imageRef,
    flavorRef: String(server.flavorRef),
    networks,
    keyName: (server.key_name as string).trim(),
    securityGroups: securityGroups.length > 0 ? securityGroups : ['default'],
    zone,
    metadata,
    blockDevices,
    minCount,
    maxCount,
    returnReservationId,
  };
}
