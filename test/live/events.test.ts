// What the watcher counts as a transition (it then polls fast) and as a change.

import { expect, test } from 'vitest';
import { changedFields, contentKey, inTransition } from '../../src/live/events.js';

test('a status the gateway does not know is never a transition, whatever its task', () => {
  expect(inTransition({ status: 'BUILD', taskState: 'spawning' })).toBe(true);
  expect(inTransition({ status: 'ACTIVE', taskState: 'powering-off' })).toBe(true);
  expect(inTransition({ status: 'REBOOT', taskState: null })).toBe(true);
  expect(inTransition({ status: 'ACTIVE', taskState: null })).toBe(false);
  expect(inTransition({ status: 'UNKNOWN', taskState: 'something-new' })).toBe(false);
  expect(inTransition({ status: 'DELETED', taskState: null })).toBe(false);
});

test('a moving `updated` alone is no change (a build request shows the time of each read)', () => {
  const base = { id: 'x', name: 'a', status: 'BUILD', updated: '2026-01-01T00:00:00Z', 'OS-EXT-STS:task_state': 'scheduling' };
  expect(contentKey({ ...base, updated: '2026-01-01T00:00:07Z' })).toBe(contentKey(base));
  expect(changedFields(base, { ...base, status: 'ACTIVE', 'OS-EXT-STS:task_state': null, updated: '2026-01-01T00:01:00Z' })).toEqual([
    'status',
    'taskState',
    'updated',
  ]);
  expect(changedFields(base, { ...base, key_name: 'k' })).toEqual(['keyName', 'keypair']);
});
