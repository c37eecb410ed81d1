import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/upstream/breaker.js';

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures; a success in between resets the count', () => {
    const breaker = new CircuitBreaker(3, 1_000, () => 0);
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('lets one probe through after the reset time; its success closes, its failure reopens', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 1_000, () => now);
    breaker.recordFailure();
    now = 999;
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.msUntilProbe()).toBe(1);
    now = 1_000;
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    now = 2_000;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('lets the next call probe when a probe ended without a verdict', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 10, () => now);
    breaker.recordFailure();
    now = 10;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordNeutral();
    expect(breaker.tryAcquire()).toBe(true);
  });
});
