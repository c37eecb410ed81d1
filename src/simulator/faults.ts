// Injected trouble for tests and benchmarks: added latency, a seeded error rate per service, and
// "fail the next N calls of this route" in one of several ways a real upstream or proxy fails.

import { Random } from './random.js';
import type { Service } from './errors.js';

export type FaultMode = 'status' | 'reset' | 'hang' | 'invalid-json' | 'html' | 'body';

export interface FaultSpec {
  /** Default 503; 200 in mode 'body'. */
  status?: number;
  /** Default 'status': an error in the service's own format. */
  mode?: FaultMode;
  /** Sets a Retry-After header. */
  retryAfterSeconds?: number;
  /** Mode 'body': the answer's body, sent exactly as given (any text: broken JSON, HTML, megabytes). */
  body?: string;
  /** Mode 'body': the Content-Type sent with `body`; default application/json. */
  contentType?: string;
  /**
   * Mode 'body': send the headers (with the whole body's length) and only this many bytes of the
   * body, then leave the connection hanging: an upstream that stalls mid-answer.
   */
  hangAfterBytes?: number;
}

export type Fault = Required<Pick<FaultSpec, 'status' | 'mode'>> & Pick<FaultSpec, 'retryAfterSeconds' | 'body' | 'contentType' | 'hangAfterBytes'>;

export const SERVICES: readonly Service[] = ['identity', 'compute', 'image', 'volume', 'network'];
const FAULT_MODES: readonly FaultMode[] = ['status', 'reset', 'hang', 'invalid-json', 'html', 'body'];

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
    // A made-up body is usually a success answer the client must cope with; errors have 'status'.
    const status = spec.status ?? (mode === 'body' ? 200 : 503);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error('fault status must be an HTTP status');
    if (mode === 'body' && typeof spec.body !== 'string') throw new Error("fault mode 'body' needs body, a string");
    if (spec.contentType !== undefined && (typeof spec.contentType !== 'string' || /[\r\n]/.test(spec.contentType))) {
      throw new Error('fault contentType must be a header value');
    }
    const { hangAfterBytes } = spec;
    if (hangAfterBytes !== undefined && !(Number.isInteger(hangAfterBytes) && hangAfterBytes >= 0)) {
      throw new Error('fault hangAfterBytes must be a non-negative integer');
    }
    const fault: Fault = { status, mode, retryAfterSeconds: spec.retryAfterSeconds };
    if (mode === 'body') Object.assign(fault, { body: spec.body, contentType: spec.contentType ?? 'application/json', hangAfterBytes });
    if (count === 0) this.pending.delete(route);
    else this.pending.set(route, { remaining: count, fault });
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
