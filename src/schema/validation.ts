// Input rules, checked before any upstream call (api-facts.md section 3: Nova's schemas plus NHN's own
// limits). A failure is one BAD_USER_INPUT error whose message and `extensions.field` name the field,
// so a form can put the message next to the right input.

import { isIP } from 'node:net';
import type { StandardSchemaV1 } from '@pothos/plugin-validation';
import type { GraphQLError } from 'graphql';
import { z } from 'zod';
import { badUserInput } from './errors.js';

function fieldPath(path: StandardSchemaV1.Issue['path']): string {
  const keys = (path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment));
  return keys.map(String).join('.') || 'input';
}

/** The validation plugin's hook: the first issue names the field, all issues ride along. */
export function toInputError(failure: StandardSchemaV1.FailureResult): GraphQLError {
  const [first] = failure.issues;
  const error = badUserInput(fieldPath(first?.path), first?.message ?? 'is invalid');
  error.extensions.issues = failure.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
  return error;
}

// ---- shared rules --------------------------------------------------------------------------------
// A schema's output replaces the value it checks: object schemas are `looseObject`, so that fields
// they do not name pass through.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Nova's "printable": no control, format, private-use, surrogate or unassigned code points.
const UNPRINTABLE = /\p{C}/u;

export const uuid = z.string().regex(UUID, 'must be a UUID such as 8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11');

/** Nova's `name` rule: 1-255 printable characters without leading or trailing whitespace. */
export const resourceName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine((value) => !UNPRINTABLE.test(value), 'must contain only printable characters')
  .refine((value) => value.trim() === value, 'must not start or end with whitespace');

/** Nova before Zed (and so NHN) allows only these in keypair names. */
export const keypairName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[_\- a-zA-Z0-9]+$/, 'may contain only letters, digits, spaces, "_" and "-"');

export const metadataKey = z
  .string()
  .regex(/^[a-zA-Z0-9-_:. ]{1,255}$/, 'must be 1-255 characters of letters, digits, space and - _ : .');
export const metadataValue = z.string().max(255, 'must be at most 255 characters');

/** Nova rejects a metadata object with repeated keys only by keeping the last: say so instead. */
export const metadataList = z
  .array(z.looseObject({ key: z.string() }))
  .refine((entries) => new Set(entries.map((e) => e.key)).size === entries.length, 'keys must be unique');

export const securityGroupName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters');

export const ipAddress = z.string().refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address');

/** Nova's volume attach `device` pattern, e.g. /dev/vdb. */
export const devicePath = z
  .string()
  .regex(/(^\/dev\/x?[a-z]?d?)([a-z]+)[0-9]*$/, 'must be a device path such as /dev/vdb');

/** user_data is at most 65535 characters of base64, i.e. 49149 bytes of plain text. */
export const USER_DATA_MAX_BYTES = Math.floor(65535 / 4) * 3;
export const userData = z
  .string()
  .refine(
    (value) => Buffer.byteLength(value, 'utf8') <= USER_DATA_MAX_BYTES,
    `must be at most ${USER_DATA_MAX_BYTES} bytes (65535 once base64-encoded)`,
  );

/** NHN creates at most 10 servers per request. */
export const serverCount = z.number().int().min(1, 'must be at least 1').max(10, 'must be at most 10');

export const nonNegative = z.number().int().min(0, 'must not be negative');
export const volumeSize = z.number().int().min(1, 'must be at least 1 GB').max(2147483647, 'is too large');
export const bdmUuid = z.string().regex(/^[a-zA-Z0-9._-]{1,255}$/, 'must be an id (letters, digits, . _ -)');
export const notBlank = z.string().refine((value) => value.trim() !== '', 'must not be empty');

/** Nova flavor ids: NHN's are UUIDs, Nova's any printable text of at most 255 characters. */
export const flavorId = z
  .string()
  .max(255, 'must be at most 255 characters')
  .refine((value) => value.trim() !== '', 'must not be empty')
  .refine((value) => !UNPRINTABLE.test(value), 'must contain only printable characters');

/** Text that travels in an upstream URL (list filters): bounded, so the URL stays well under 8 KB. */
export const filterText = z.string().max(255, 'must be at most 255 characters');

/** The Windows limit on server names (the guest's NetBIOS name). */
export const WINDOWS_NAME_MAX = 15;

// ---- paging ----------------------------------------------------------------------------------------

export const DEFAULT_PAGE_SIZE = 20;

/** `first` as Nova's `limit`: 1..maxPageSize (config), DEFAULT_PAGE_SIZE when omitted. */
export function pageSize(first: number | null | undefined, maxPageSize: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (first < 1 || first > maxPageSize) throw badUserInput('first', `must be between 1 and ${maxPageSize}`);
  return first;
}

const CURSOR_PREFIX = 'server:';

/** Cursors are opaque to clients; inside they carry the Nova `marker` (a server id). */
export function encodeCursor(serverId: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${serverId}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw badUserInput('after', 'is not a cursor from this API');
  return id;
}

// ---- network (Neutron, NHN's Security Groups and Floating IP APIs) ---------------------------------------

/** An address or a CIDR (`203.0.113.0/24`, `::/0`); host bits are allowed (Neutron clears them). */
export const cidr = z.string().refine((value) => {
  const [address = '', bits, extra] = value.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}, 'must be an IP address or a CIDR such as 203.0.113.0/24');

/** The protocols Neutron names (neutron_lib IP_PROTOCOL_MAP); any other is given by its number. */
export const NAMED_PROTOCOLS = [
  'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'icmpv6', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag',
  'ipv6-icmp', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp',
] as const;

export const ruleProtocol = z
  .string()
  .refine(
    (value) => (NAMED_PROTOCOLS as readonly string[]).includes(value.toLowerCase()) || (/^\d{1,3}$/.test(value) && Number(value) <= 255),
    'must be tcp, udp, icmp, another protocol name Neutron knows, or a protocol number 0-255',
  );

/** NHN's floating IP label: letters and digits only, at most 64 (FIP console guide). */
export const floatingIpLabel = z.string().regex(/^[A-Za-z0-9]{0,64}$/, 'must be at most 64 letters and digits');

/** Neutron names and descriptions are at most 255 characters. */
export const neutronText = z.string().max(255, 'must be at most 255 characters');

/** A new group's name: Neutron refuses `default` (each project has one already). */
export const newSecurityGroupName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine((value) => value.toLowerCase() !== 'default', 'must not be "default": the project already has its default group');
/**
 * Cursors of the other marker-paged lists (images, volumes): the kind keeps one list's cursor from
 * being taken for another's; inside is the upstream `marker` (the last item's id).
 */
export function encodeMarkerCursor(kind: string, marker: string): string {
  return Buffer.from(`${kind}:${marker}`, 'utf8').toString('base64url');
}

export function decodeMarkerCursor(kind: string, cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const marker = text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : '';
  if (!/^[A-Za-z0-9-]{1,64}$/.test(marker)) throw badUserInput('after', 'is not a cursor from this API');
  return marker;
}

// ---- images and volumes ----------------------------------------------------------------------------

/** Glance's image statuses (a filter on anything else would just match nothing). */
export const IMAGE_STATUSES = ['queued', 'saving', 'uploading', 'importing', 'active', 'deactivated', 'killed', 'deleted', 'pending_delete'];
export const imageStatus = z.enum(IMAGE_STATUSES, { message: `must be one of ${IMAGE_STATUSES.join(', ')}` });

/** Glance's visibility filter values (Glance answers 400 to any other). */
export const IMAGE_VISIBILITIES = ['public', 'private', 'shared', 'community', 'all'];
export const imageVisibility = z.enum(IMAGE_VISIBILITIES, { message: `must be one of ${IMAGE_VISIBILITIES.join(', ')}` });

/** NHN's image tag rule: 1-255 characters, not starting with "_" (IMG); no "/" (it travels as a path segment). */
export const imageTag = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine((value) => !value.startsWith('_'), 'must not start with "_" (NHN reserves those tags)')
  .refine((value) => !value.includes('/'), 'must not contain "/"')
  .refine((value) => !UNPRINTABLE.test(value), 'must contain only printable characters');

/** Cinder's name and description columns hold 255 characters. */
export const volumeText = z
  .string()
  .max(255, 'must be at most 255 characters')
  .refine((value) => !UNPRINTABLE.test(value), 'must contain only printable characters');

/** A volume type name (General HDD, General SSD...) or id. */
export const volumeTypeName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .refine((value) => value.trim() === value, 'must not start or end with whitespace')
  .refine((value) => !UNPRINTABLE.test(value), 'must contain only printable characters');

/** An availability zone name such as kr-pub-a. */
export const zoneName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,255}$/, 'must be a zone name such as kr-pub-a (letters, digits, . _ -)');
