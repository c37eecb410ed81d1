// A circuit breaker per upstream service. When a service keeps failing (connection errors, timeouts,
// 5xx), every further call would only wait for the same failure and add load to a service that is
// already struggling; failing fast for a while gives it room to recover and answers callers at once.

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #probeInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly resetMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    return this.#state;
  }

  /**
   * True when a call may go out. An open breaker lets exactly one probe through once `resetMs` has
   * passed; until that probe reports back, everything else still fails fast.
   */
  tryAcquire(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.now() - this.#openedAt < this.resetMs) return false;
      this.#state = 'half-open';
      this.#probeInFlight = true;
      return true;
    }
    if (this.#probeInFlight) return false;
    this.#probeInFlight = true;
    return true;
  }

  /** Milliseconds until an open breaker lets a probe through (0 when it would now). */
  msUntilProbe(): number {
    return this.#state === 'open' ? Math.max(0, this.resetMs - (this.now() - this.#openedAt)) : 0;
  }

  /** The service answered (any status below 500 counts: a 404 proves it is up). */
  recordSuccess(): void {
    this.#state = 'closed';
    this.#consecutiveFailures = 0;
    this.#probeInFlight = false;
  }

  recordFailure(): void {
    this.#probeInFlight = false;
    if (this.#state === 'half-open' || ++this.#consecutiveFailures >= this.failureThreshold) {
      this.#state = 'open';
      this.#openedAt = this.now();
    }
  }

  /**
   * The call ended without telling anything about the service (the caller's own deadline aborted it).
   * A half-open breaker then lets the next call probe instead of staying stuck.
   */
  recordNeutral(): void {
    this.#probeInFlight = false;
  }
}
