// Injected trouble for tests and benchmarks: added latency, a seeded error rate per service, and
// "fail the next N calls of this route" in one of several ways a real upstream or proxy fails.

import { Random } from './random.js';
import type { Service } from './errors.js';

export type FaultMode = 'status' | 'reset' | 'hang' | 'invalid-json' | 'html';

export interface FaultSpec {
  /** Default 503. */
  status?: number;
  /** Default 'status': an error in the service's own format. */
  mode?: FaultMode;
  /** Sets a Retry-After header. */
  retryAfterSeconds?: number;
}

export type Fault = Required<Pick<FaultSpec, 'status' | 'mode'>> & Pick<FaultSpec, 'retryAfterSeconds'>;

export const SERVICES: readonly Service[] = ['identity', 'compute', 'image', 'volume', 'network'];
const FAULT_MODES: readonly FaultMode[] = ['status', 'reset', 'hang', 'invalid-json', 'html'];

export class FaultPlan {
  private latencyAll = 0;
  private readonly latencyByService = new Map<Service, number>();
  private readonly errorRates = new Map<Service, number>();
  private readonly pending = new Map<string, { remaining: number; fault: Fault }>();
  private random: Random;

  constructor(private readonly seed: number) {
    this.random = new Random(seed ^ 0xfa17);
  }

  setLatency(ms: number, service?: Service): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a non-negative number of milliseconds');
    if (service === undefined) this.latencyAll = ms;
    else this.latencyByService.set(checkService(service), ms);
  }

  /** A service's own setting wins over the one for all services. */
  latencyFor(service: Service): number {
    return this.latencyByService.get(service) ?? this.latencyAll;
  }

  setErrorRate(service: Service, rate: number): void {
    if (!(rate >= 0 && rate <= 1)) throw new Error('error rate must be between 0 and 1');
    this.errorRates.set(checkService(service), rate);
  }

  failNext(route: string, count: number, spec: FaultSpec = {}): void {
    if (!Number.isInteger(count) || count < 0) throw new Error('count must be a non-negative integer');
    const mode = spec.mode ?? 'status';
    if (!FAULT_MODES.includes(mode)) throw new Error(`fault mode must be one of ${FAULT_MODES.join(', ')}`);
    const status = spec.status ?? 503;
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error('fault status must be an HTTP status');
    if (count === 0) this.pending.delete(route);
    else this.pending.set(route, { remaining: count, fault: { status, mode, retryAfterSeconds: spec.retryAfterSeconds } });
  }

  /** The fault this call gets, if any: a pending failNext first, then the service's error rate. */
  take(route: string, service: Service): Fault | undefined {
    const pending = this.pending.get(route);
    if (pending) {
      if (--pending.remaining <= 0) this.pending.delete(route);
      return pending.fault;
    }
    const rate = this.errorRates.get(service) ?? 0;
    if (rate > 0 && this.random.next() < rate) return { status: 503, mode: 'status' };
    return undefined;
  }

  reset(): void {
    this.latencyAll = 0;
    this.latencyByService.clear();
    this.errorRates.clear();
    this.pending.clear();
    this.random = new Random(this.seed ^ 0xfa17);
  }
}

export function checkService(service: string): Service {
  if (!SERVICES.includes(service as Service)) throw new Error(`service must be one of ${SERVICES.join(', ')}`);
  return service as Service;
}
