// Upstream timestamps come in several forms: `2020-02-25T01:22:24Z`, `...+00:00`, and Nova/Cinder's
// zone-less `2020-02-25T01:22:23.000000` (UTC by convention). Everything leaves the gateway as
// ISO-8601 UTC with `Z` (millisecond precision), so clients never guess a zone.

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The instant as ISO-8601 UTC with `Z`, or null when the text is not a valid timestamp. */
export function toIsoUtc(text: string): string | null {
  return utcFastPath(text) ?? parseTimestamp(text);
}

// ---- the common forms, by string operations ------------------------------------------------------
// Every DateTime a query selects comes through here twice (the mapper, then the scalar's serialize),
// four per server on a page of 100. The regex and two Date objects per call were 15% of a servers
// page's CPU (issue #4). So the forms upstreams send in UTC, `YYYY-MM-DDTHH:MM:SS` + optional
// `.fraction` + optional `Z`, and our own output are checked and rebuilt by string operations,
// allocating nothing but the result (our own output comes back unchanged). Anything else (offsets, a
// space, lowercase, surrounding blanks), or anything the checks refuse, takes the general path, so
// every answer is the general path's (a test compares the two).

const DIGIT_0 = 48;
const CANONICAL_LENGTH = 24; // 2020-02-25T01:22:24.000Z

/** The ISO-8601 UTC form of a zone-less or `Z` timestamp, or undefined to let the general path decide. */
function utcFastPath(text: string): string | undefined {
  const length = text.length;
  if (length < 19 || !fixedPartIsWellFormed(text)) return undefined;
  // Tail: [.digits] [Z]; milliseconds are the fraction's first three digits (truncated, not rounded).
  let end = length;
  if (text.charCodeAt(end - 1) === 90 /* Z */) end--;
  let millis = '.000';
  if (end > 19) {
    if (text.charCodeAt(19) !== 46 /* . */ || end === 20) return undefined;
    for (let i = 20; i < end; i++) if (!isDigit(text.charCodeAt(i))) return undefined;
    millis = end >= 23 ? text.slice(19, 23) : `.${text.slice(20, end).padEnd(3, '0')}`;
  }
  if (length === CANONICAL_LENGTH && end === 23) return text;
  return `${text.slice(0, 19)}${millis}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS` at the start, a real calendar date and time of day. */
function fixedPartIsWellFormed(text: string): boolean {
  if (
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 /* T */ ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58
  ) {
    return false;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  // Years below 100 are left to the general path, which refuses them (Date.UTC reads them as 19xx).
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return inRange(hour, 23) && inRange(minute, 59) && inRange(second, 59);
}

/** The decimal number of `count` digits at `start`, or -1 when one of them is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - DIGIT_0);
  }
  return value;
}

/** 0..max; -1 (not digits) is out. */
function inRange(value: number, max: number): boolean {
  return value >= 0 && value <= max;
}

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_0 + 9;
}

/** Proleptic Gregorian, as Date counts. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// ---- every other form ----------------------------------------------------------------------------

function parseTimestamp(text: string): string | null {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match as unknown as string[];
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const probe = new Date(utc);
  // Date.UTC rolls 2020-02-30 over to March; a real timestamp survives the round trip unchanged.
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  return new Date(utc - zoneOffsetMinutes(zone) * 60_000).toISOString();
}

function zoneOffsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return zone.startsWith('-') ? -minutes : minutes;
}

/** For optional upstream fields: anything that is not a valid timestamp becomes null. */
export function optionalTimestamp(value: unknown): string | null {
  return typeof value === 'string' ? toIsoUtc(value) : null;
}
