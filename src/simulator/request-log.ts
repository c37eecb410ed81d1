// Every call the simulator answered, for tests that assert exact upstream call counts.

import type { Service } from './errors.js';

export interface RequestLogEntry {
  method: string;
  service: Service;
  /** "<METHOD> <service> <template>", e.g. "GET compute /servers/{id}". */
  route: string;
  /** Path and query as requested. */
  path: string;
  /** 0 while unanswered, and for connections reset or left hanging on purpose. */
  status: number;
  /**
   * Set (true) when the connection closed before the answer was written: the client gave up (its
   * deadline or timeout aborted the call) or a 'reset' fault cut it. Absent otherwise.
   */
  abandoned?: true;
  /**
   * The parsed JSON body of a POST or PUT to compute, image, volume or network (never identity's,
   * which carries the API password): lets tests assert the exact body a client sent.
   */
  body?: unknown;
}

/** Old entries are dropped past this many, so that a long benchmark cannot exhaust memory. */
const MAX_ENTRIES = 100_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private readonly counts = new Map<string, number>();

  record(method: string, service: Service, route: string, path: string): RequestLogEntry {
    const entry = { method, service, route, path, status: 0 };
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries = this.entries.slice(-MAX_ENTRIES / 2);
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
    return entry;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  counters(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  clear(): void {
    this.entries = [];
    this.counts.clear();
  }
}
