// Nova's request validation (api/validation, schemas for the '2.0' version that /v2 uses; rules in
// api-facts.md section 3) with its messages: a schema failure is 400 "Invalid input for
// field/attribute <last path element>. Value: <Python repr>. <jsonschema message>".

import { novaError } from './errors.js';
import type { ReplyError } from './reply.js';

export type Json = Record<string, unknown>;

function pyString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(new RegExp(quote, 'g'), `\\${quote}`);
  return quote + escaped + quote;
}

/** Python's repr() of a decoded JSON value, as it appears in Nova's messages. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(value as Json).map(([k, v]) => `${pyString(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

/** Python's str(): a string as it is, anything else as repr() (Nova formats the value with %s). */
function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** The failure of one schema rule at `path` (whose last element Nova names). */
export function invalid(path: readonly (string | number)[], value: unknown, message: string): ReplyError {
  if (path.length === 0) return novaError(400, message);
  return novaError(400, `Invalid input for field/attribute ${path.at(-1)}. Value: ${pyStr(value)}. ${message}`);
}

/** The same for query parameters (Nova's query schemas). */
export function invalidQuery(name: string, value: string, message: string): ReplyError {
  return novaError(400, `Invalid input for query parameters ${name}. Value: ${value}. ${message}`);
}

type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** jsonschema's "type" rule: "1 is not of type 'boolean', 'string'". */
export function checkType(path: readonly (string | number)[], value: unknown, types: readonly JsonType[]): void {
  const actual = typeOf(value);
  if (types.includes(actual) || (actual === 'integer' && types.includes('number'))) return;
  throw invalid(path, value, `${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
}

export function requireObject(path: readonly (string | number)[], value: unknown): Json {
  checkType(path, value, ['object']);
  return value as Json;
}

/** jsonschema's "required" rule, reported at the object that lacks the key. */
export function requireKey(path: readonly (string | number)[], object: Json, key: string): unknown {
  if (!(key in object)) throw invalid(path, object, `'${key}' is a required property`);
  return object[key];
}

export function checkLength(path: readonly (string | number)[], value: string, min: number, max: number): void {
  if (value.length < min) throw invalid(path, value, `${pyRepr(value)} is too short`);
  if (value.length > max) throw invalid(path, value, `${pyRepr(value)} is too long`);
}

export function checkPattern(path: readonly (string | number)[], value: string, pattern: RegExp, source: string): void {
  if (!pattern.test(value)) throw invalid(path, value, `${pyRepr(value)} does not match '${source}'`);
}

export function checkEnum(path: readonly (string | number)[], value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) throw invalid(path, value, `${pyRepr(value)} is not one of [${allowed.map(pyRepr).join(', ')}]`);
}

/** A "format" failure: "'abc' is not a 'uuid'". */
export function formatError(path: readonly (string | number)[], value: unknown, format: string): ReplyError {
  return invalid(path, value, `${pyRepr(value)} is not a '${format}'`);
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function checkUuid(path: readonly (string | number)[], value: unknown): string {
  checkType(path, value, ['string']);
  if (!isUuid(value)) throw formatError(path, value, 'uuid');
  return value;
}

// Printable: no control characters (Unicode category C), as Nova's name regexes require.
const NON_PRINTABLE = /[\p{C}]/u;

/**
 * Names on /v2 ('name_with_leading_trailing_spaces'): a string of 1-255 printable characters with
 * at least one that is not a space; Nova strips the spaces afterwards (common.normalize_name).
 */
export function checkName(path: readonly (string | number)[], value: unknown): string {
  checkType(path, value, ['string']);
  const text = value as string;
  checkLength(path, text, 1, 255);
  if (NON_PRINTABLE.test(text) || text.trim() === '') {
    throw novaError(400, "An invalid 'name' value was provided. The name must be: printable characters with at least one non space character");
  }
  return text.trim();
}

/** Nova's parameter_types.boolean: JSON booleans or these strings; the integer 1 is refused. */
const BOOLEAN_VALUES: readonly unknown[] = [
  true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes',
  false, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no',
];
const TRUE_VALUES = new Set(BOOLEAN_VALUES.slice(0, 11));

export function checkBoolean(path: readonly (string | number)[], value: unknown): boolean {
  checkType(path, value, ['boolean', 'string']);
  checkEnum(path, value, BOOLEAN_VALUES);
  return TRUE_VALUES.has(value);
}

/** parameter_types.positive_integer: an integer or a digit string, at least 1 (and at most `max`). */
export function checkPositiveInteger(path: readonly (string | number)[], value: unknown, max?: number): number {
  checkType(path, value, ['integer', 'string']);
  if (typeof value === 'string') checkPattern(path, value, /^[0-9]*$/, '^[0-9]*$');
  if (value === '') throw invalid(path, value, "'' is too short");
  const number = Number(value);
  if (number < 1) throw invalid(path, value, `${pyRepr(value)} is less than the minimum of 1`);
  if (max !== undefined && number > max) throw invalid(path, value, `${pyRepr(value)} is greater than the maximum of ${max}`);
  return number;
}

/** parameter_types.metadata: keys of ^[a-zA-Z0-9-_:. ]{1,255}$, string values of at most 255 characters. */
export function checkMetadata(path: readonly (string | number)[], value: unknown): Record<string, string> {
  const object = requireObject(path, value);
  const unexpected = Object.keys(object).filter((key) => !/^[a-zA-Z0-9-_:. ]{1,255}$/.test(key));
  if (unexpected.length > 0) {
    throw invalid(path, object, `Additional properties are not allowed (${unexpected.map(pyRepr).join(', ')} ${unexpected.length === 1 ? 'was' : 'were'} unexpected)`);
  }
  for (const [key, item] of Object.entries(object)) {
    checkType([...path, key], item, ['string']);
    checkLength([...path, key], item as string, 0, 255);
  }
  return object as Record<string, string>;
}

/** Strict base64 (what Python's base64.decodebytes accepts without guessing). */
export function isBase64(text: string): boolean {
  const compact = text.replace(/\s+/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}
