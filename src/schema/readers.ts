// Tolerant readers of raw upstream values. NHN warns that fields may appear, vanish or change type
// (swap "" or a number, bootable "true" or true, timestamps with or without a zone), so every mapping
// reads through these instead of trusting a field's type.

export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

const INT_MAX = 2 ** 31 - 1;

/**
 * Integers that may arrive as numbers or digit strings; "" and anything else are null, and so is a
 * value GraphQL's Int (32 bits) cannot carry.
 */
export function integer(value: unknown): number | null {
  let number: number | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) number = Math.trunc(value);
  else if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) number = Math.trunc(Number(value));
  return number !== null && Math.abs(number) <= INT_MAX ? number : null;
}

/** The array `value` is, or an empty one: for lists that may arrive as anything. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function decimal(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** Booleans as JSON booleans, Cinder's "true"/"false" strings, or Nova's other spellings. */
export function boolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return null;
}

export interface Entry {
  key: string;
  value: string;
}

export function entries(value: unknown): Entry[] {
  if (value === null || typeof value !== 'object') return [];
  const found: Entry[] = [];
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const text = typeof v === 'string' ? v : jsonText(v);
    if (text !== null) found.push({ key, value: text });
  }
  return found;
}

/** JSON text of a parsed upstream value; null for one nested too deeply to print (a RangeError). */
function jsonText(value: unknown): string | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}
