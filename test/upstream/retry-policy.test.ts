import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs } from '../../src/upstream/http.js';

describe('retryDelayMs', () => {
  it('is full jitter: uniform between 0 and base * 2^attempt', () => {
    expect(retryDelayMs(0, 100, undefined, () => 0)).toBe(0);
    expect(retryDelayMs(0, 100, undefined, () => 0.5)).toBe(50);
    expect(retryDelayMs(3, 100, undefined, () => 0.999)).toBe(799);
  });

  it("is the upstream's Retry-After when it sent one", () => {
    expect(retryDelayMs(2, 100, 3, () => 0.5)).toBe(3000);
    expect(retryDelayMs(0, 100, 0, () => 0.5)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, and ignores the rest', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
