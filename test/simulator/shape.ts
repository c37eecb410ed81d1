// Compares a response body with a reference sample: the same keys (recursively) and the same JSON
// value types. Arrays are compared item by item against the sample's first item. Every departure
// from exact key equality must be named by the caller, so a test says which differences it accepts.

export interface ShapeAllowances {
  /** Paths of objects whose keys are free (maps such as `addresses`, `metadata`); each value is compared with the sample's first value. */
  maps?: string[];
  /** Keys the sample has that the body may lack, as `path.key` (Nova shows `progress` only in some statuses). */
  optional?: string[];
  /** Keys the body may have that the sample lacks, as `path.key` (`fault` on an ERROR server). */
  extra?: string[];
  /** Paths whose value may be null where the sample has a value (a queued image's size). */
  nullable?: string[];
}

type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

/**
 * Lists the differences (empty when the shapes agree). Paths look like `servers[].addresses`.
 * One general allowance: where the sample has null, a string is accepted too, because samples
 * show null for strings that are simply unset there (`description`, `updated_at`...).
 */
export function shapeDifferences(actual: unknown, sample: unknown, allow: ShapeAllowances = {}, path = ''): string[] {
  const here = path === '' ? '(root)' : path;
  const expected = typeOf(sample);
  const got = typeOf(actual);
  if (expected === 'null') return got === 'null' || got === 'string' ? [] : [`${here}: null or string expected, got ${got}`];
  if (got === 'null' && allow.nullable?.includes(path)) return [];
  if (expected !== got) return [`${here}: ${expected} expected, got ${got}`];
  if (expected === 'array') {
    const items = sample as unknown[];
    if (items.length === 0) return [];
    return (actual as unknown[]).flatMap((item) => shapeDifferences(item, items[0], allow, `${path}[]`));
  }
  if (expected !== 'object') return [];
  const a = actual as Record<string, unknown>;
  const s = sample as Record<string, unknown>;
  if (allow.maps?.includes(path)) {
    const first = Object.values(s)[0];
    return first === undefined ? [] : Object.entries(a).flatMap(([k, v]) => shapeDifferences(v, first, allow, `${path}.${k}`));
  }
  const join = (key: string) => (path === '' ? key : `${path}.${key}`);
  const problems: string[] = [];
  for (const key of Object.keys(s)) {
    if (key in a) problems.push(...shapeDifferences(a[key], s[key], allow, join(key)));
    else if (!allow.optional?.includes(join(key))) problems.push(`${join(key)}: missing`);
  }
  for (const key of Object.keys(a)) {
    if (!(key in s) && !allow.extra?.includes(join(key))) problems.push(`${join(key)}: not in the sample`);
  }
  return problems;
}

/** Differences accepted against NHN's server sample, each for a reason the real service has. */
export function serverAllowances(prefix: string): ShapeAllowances {
  return {
    // Maps keyed by network name and by metadata key.
    maps: [`${prefix}.addresses`, `${prefix}.metadata`],
    // Nova shows progress only for ACTIVE, BUILD, RESIZE... and fault only for ERROR and DELETED.
    optional: [`${prefix}.progress`],
    extra: [`${prefix}.fault`],
    // A server that never booted (a failed build) has no launch time.
    nullable: [`${prefix}.OS-SRV-USG:launched_at`],
  };
}
