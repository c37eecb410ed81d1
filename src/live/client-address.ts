// The client's address, for the per-caller subscription limit in service-account mode. Taken from
// X-Forwarded-For only when the connection comes from a configured trusted proxy: anyone else could
// write any address there and so never reach the limit.

import { isIP } from 'node:net';

function normalise(address: string): string {
  // Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d.
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The peer address; behind a trusted proxy, the right-most X-Forwarded-For entry that is not itself
 * a trusted proxy (entries to its left were written by the client and prove nothing).
 */
export function clientAddressOf(peer: string | undefined, forwardedFor: string | null | undefined, trustedProxies: readonly string[]): string {
  const direct = normalise(peer ?? 'unknown');
  if (!forwardedFor || !trustedProxies.includes(direct)) return direct;
  const hops = forwardedFor.split(',').map((hop) => normalise(hop.trim())).filter((hop) => isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? direct;
}
