// The address the per-caller subscription limit counts in service-account mode.

import { expect, test } from 'vitest';
import { clientAddressOf } from '../../src/live/client-address.js';

test('the peer, unless it is a trusted proxy; then the right-most forwarded hop that is not a trusted proxy', () => {
  expect(clientAddressOf('203.0.113.7', '198.51.100.1', [])).toBe('203.0.113.7');
  // Not from a trusted proxy: X-Forwarded-For is whatever the client wrote, and is ignored.
  expect(clientAddressOf('203.0.113.7', '198.51.100.1', ['10.0.0.1'])).toBe('203.0.113.7');
  expect(clientAddressOf('10.0.0.1', '198.51.100.1', ['10.0.0.1'])).toBe('198.51.100.1');
  // A client's own (forged) entries are to the left of what the proxies appended.
  expect(clientAddressOf('10.0.0.1', '1.2.3.4, 198.51.100.1, 10.0.0.2', ['10.0.0.1', '10.0.0.2'])).toBe('198.51.100.1');
  expect(clientAddressOf('::ffff:10.0.0.1', 'not-an-ip, 198.51.100.9', ['10.0.0.1'])).toBe('198.51.100.9');
  expect(clientAddressOf(undefined, null, [])).toBe('unknown');
});
