// Upstream timestamps come in several forms: `2020-02-25T01:22:24Z`, `...+00:00`, and Nova/Cinder's
// zone-less `2020-02-25T01:22:23.000000` (UTC by convention). Everything leaves the gateway as
// ISO-8601 UTC with `Z` (millisecond precision), so clients never guess a zone.

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The instant as ISO-8601 UTC with `Z`, or null when the text is not a valid timestamp. */
export function toIsoUtc(text: string): string | null {
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
