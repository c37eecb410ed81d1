// Glance v2 changes (IMG; rules and messages from glance/api/v2/images.py and image_tags.py):
//   PATCH /v2/images/{id} with `application/openstack-images-v2.1-json-patch` (or the 2.0 draft-4
//   form), DELETE /v2/images/{id}, PUT and DELETE /v2/images/{id}/tags/{tag}.
// Only the owner changes an image: another project's (public) image answers 403 with Glance's policy
// wording. NHN: public and protected images cannot be deleted; users set visibility only to private or
// shared; tags are at most 255 characters and must not start with "_" (IMG; that wording not verified).

import type { RequestContext, Route } from '../context.js';
import { glanceError, glanceFault } from '../errors.js';
import { ReplyError, emptyReply, jsonReply, type Reply } from '../reply.js';
import type { Image } from '../state.js';
import { imageDocument } from './images.js';

const PATCH_TYPES: Record<string, 4 | 10> = {
  'application/openstack-images-v2.0-json-patch': 4,
  'application/openstack-images-v2.1-json-patch': 10,
};
const OPERATIONS = ['add', 'remove', 'replace'];
const READ_ONLY = ['created_at', 'updated_at', 'status', 'checksum', 'size', 'virtual_size', 'direct_url', 'self', 'file', 'schema', 'id', 'os_hash_algo', 'os_hash_value'];
const RESERVED = ['location', 'deleted', 'deleted_at'];
/** Glance's own attributes: replaced, never removed (the rest are extra properties). */
const BASE = ['name', 'min_disk', 'min_ram', 'visibility', 'protected', 'tags', 'container_format', 'disk_format', 'owner', 'os_hidden'];
/** Glance's image_tag_quota. */
const TAG_QUOTA = 128;

function visibleImage(ctx: RequestContext): Image {
  const image = ctx.world.visibleImage(ctx.tenant, ctx.params[0]!);
  if (!image) throw glanceError(404, `No image found with ID ${ctx.params[0]}`);
  return image;
}

function ownImage(ctx: RequestContext, action: string): Image {
  const image = visibleImage(ctx);
  if (image.owner !== ctx.tenant.id) throw glanceError(403, `You are not authorized to complete ${action} action.`);
  return image;
}

/** NHN's tag rule on top of Glance's schema (maxLength 255). */
function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string') return `${JSON.stringify(tag)} is not of type 'string'`;
  if (tag.length > 255) return `'${tag}' is too long`;
  if (tag.startsWith('_')) return `'${tag}' must not start with '_'`;
  return undefined;
}

function schemaError(problem: string): Error {
  return glanceError(400, `Provided object does not match schema 'image': ${problem}`);
}

interface Change {
  op: string;
  path: string;
  value?: unknown;
}

/** The deserializer's checks (RequestDeserializer.update), before the image is looked up. */
function parseChanges(ctx: RequestContext): Change[] {
  const draft = ctx.contentType === undefined ? undefined : PATCH_TYPES[ctx.contentType];
  if (draft === undefined) {
    const allowed = Object.keys(PATCH_TYPES).sort().join(', ');
    const reply = glanceFault(415, `Image PATCH expects Content-Type one of: ${allowed}`);
    throw new ReplyError({ ...reply, headers: { 'accept-patch': allowed } });
  }
  if (!Array.isArray(ctx.body)) throw glanceError(400, 'Request body must be a JSON array of operation objects.');
  return ctx.body.map((raw: unknown): Change => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw glanceError(400, 'Operations must be JSON objects.');
    const change = raw as Record<string, unknown>;
    let op: string;
    let pointer: unknown;
    if (draft === 10) {
      if (change.op === undefined) throw glanceError(400, `Unable to find \`op\` in JSON Schema change. It must be one of the following: ${OPERATIONS.join(', ')}.`);
      op = String(change.op);
      if (!OPERATIONS.includes(op)) throw glanceError(400, `Invalid operation: \`${op}\`. It must be one of the following: ${OPERATIONS.join(', ')}.`);
      if (!('path' in change)) throw glanceError(400, "Unable to find 'path' in JSON Schema change");
      pointer = change.path;
    } else {
      const named = OPERATIONS.filter((key) => key in change);
      if (named.length !== 1) throw glanceError(400, `Operation objects must contain ${named.length === 0 ? 'exactly' : 'only'} one member named "add", "remove", or "replace".`);
      op = named[0]!;
      pointer = change[op];
    }
    const path = String(pointer);
    if (!path.startsWith('/')) throw glanceError(400, `Pointer \`${path}\` does not start with "/".`);
    if (/~[^01]/.test(path) || path.endsWith('~')) throw glanceError(400, `Pointer \`${path}\` contains "~" not part of a recognized escape sequence.`);
    const parts = path.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~').trim());
    if (parts.length !== 1 || parts[0] === '') throw glanceError(400, `Invalid JSON pointer for this resource: '/${parts.join('/')}'`);
    const root = parts[0]!;
    if (op !== 'remove' && !('value' in change)) throw glanceError(400, `Operation "${op}" requires a member named "value".`);
    if (READ_ONLY.includes(root)) throw glanceError(403, `Attribute '${root}' is read-only.`);
    if (RESERVED.includes(root) || root.startsWith('os_glance')) throw glanceError(403, `Attribute '${root}' is reserved.`);
    if (op !== 'remove') checkValue(root, change.value);
    return { op, path: root, value: change.value };
  });
}

/** The image schema's types for what a user may set (glance/api/v2/images.py get_base_properties). */
function checkValue(key: string, value: unknown): void {
  const repr = JSON.stringify(value);
  switch (key) {
    case 'name':
      if (value !== null && (typeof value !== 'string' || value.length > 255)) throw schemaError(`${repr} is not valid under any of the given schemas`);
      return;
    case 'min_disk':
    case 'min_ram':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw schemaError(`${repr} is not of type 'integer'`);
      if (value < 0) throw schemaError(`${repr} is less than the minimum of 0`);
      return;
    case 'visibility':
      if (!['public', 'private', 'shared', 'community'].includes(String(value))) {
        throw schemaError(`${repr} is not one of ['community', 'public', 'private', 'shared']`);
      }
      return;
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') throw schemaError(`${repr} is not of type 'boolean'`);
      return;
    case 'tags': {
      if (!Array.isArray(value)) throw schemaError(`${repr} is not of type 'array'`);
      const problem = value.map(tagProblem).find((p) => p !== undefined);
      if (problem) throw schemaError(problem);
      return;
    }
    default:
      if (typeof value !== 'string') throw schemaError(`${repr} is not of type 'string'`);
      if (value.length > 255) throw schemaError(`${repr} is too long`);
  }
}

function setBase(image: Image, key: string, value: unknown): void {
  switch (key) {
    case 'name':
      image.name = value as string;
      break;
    case 'min_disk':
      image.minDiskGb = value as number;
      break;
    case 'min_ram':
      image.minRamMb = value as number;
      break;
    case 'visibility':
      // NHN lets users make images private or shared only; publicize_image is an admin policy.
      if (value === 'public' || value === 'community') throw glanceError(403, `You are not authorized to complete publicize_image action.`);
      image.visibility = value as Image['visibility'];
      break;
    case 'protected':
      image.protected = value as boolean;
      break;
    case 'tags':
      image.tags = [...new Set(value as string[])];
      if (image.tags.length > TAG_QUOTA) throw glanceError(413, 'Maximum number of tags exceeded');
      break;
    case 'container_format':
      image.containerFormat = value as string;
      break;
    case 'disk_format':
      image.diskFormat = value as string;
      break;
    case 'owner':
      throw glanceError(403, "Owner can't be updated by non admin.");
    default:
      break;
  }
}

function updateImage(ctx: RequestContext): Reply {
  const changes = parseChanges(ctx);
  const image = ownImage(ctx, 'modify_image');
  // Changes apply to a copy: Glance saves the image only when every change went through.
  const draft: Image = { ...image, tags: [...(image.tags ?? [])], properties: { ...image.properties } };
  for (const change of changes) {
    const base = BASE.includes(change.path);
    if (change.op === 'remove') {
      if (base) throw glanceError(403, `Property ${change.path} may not be removed.`);
      if (!(change.path in draft.properties)) throw glanceError(409, `Property ${change.path} does not exist.`);
      delete draft.properties[change.path];
    } else if (base) setBase(draft, change.path, change.value);
    else if (change.op === 'replace' && !(change.path in draft.properties)) throw glanceError(409, `Property ${change.path} does not exist.`);
    else draft.properties[change.path] = change.value as string;
  }
  if (changes.length > 0) {
    Object.assign(image, draft, { updatedAt: ctx.now });
  }
  return jsonReply(200, imageDocument(image));
}

function deleteImage(ctx: RequestContext): Reply {
  const image = ownImage(ctx, 'delete_image');
  if (image.protected) throw glanceError(403, `Image ${image.id} is protected and cannot be deleted.`);
  ctx.world.images.delete(image.id);
  return emptyReply(204);
}

function addTag(ctx: RequestContext): Reply {
  const tag = ctx.params[1]!;
  const problem = tagProblem(tag);
  if (problem) throw schemaError(problem);
  const image = visibleImage(ctx);
  if (image.owner !== ctx.tenant.id) throw glanceError(403, `Not allowed to update tags for image ${image.id}.`);
  const tags = new Set(image.tags ?? []);
  tags.add(tag);
  if (tags.size > TAG_QUOTA) {
    throw glanceError(413, `Image tag limit exceeded for image ${image.id}: Maximum number of tags exceeded:`);
  }
  image.tags = [...tags];
  image.updatedAt = ctx.now;
  return emptyReply(204);
}

function removeTag(ctx: RequestContext): Reply {
  const tag = ctx.params[1]!;
  const image = visibleImage(ctx);
  if (image.owner !== ctx.tenant.id) throw glanceError(403, `Not allowed to delete tags for image ${image.id}.`);
  if (!(image.tags ?? []).includes(tag)) throw glanceError(404, 'The resource could not be found.');
  image.tags = (image.tags ?? []).filter((t) => t !== tag);
  image.updatedAt = ctx.now;
  return emptyReply(204);
}

export const imageChangeRoutes: Route[] = [
  { method: 'PATCH', template: '/v2/images/{id}', handler: updateImage },
  { method: 'DELETE', template: '/v2/images/{id}', handler: deleteImage },
  { method: 'PUT', template: '/v2/images/{id}/tags/{id}', handler: addTag },
  { method: 'DELETE', template: '/v2/images/{id}/tags/{id}', handler: removeTag },
];
