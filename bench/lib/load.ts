// One closed-loop load run with autocannon against a GraphQL endpoint. Latencies are taken from
// autocannon's per-response event (float ms) rather than its histogram, which rounds to whole ms:
// the baseline answers in well under a millisecond at 0 ms upstream latency.

import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  /** Responses with status 200 whose body carries no GraphQL `errors`. */
  ok: number;
  /** Non-200 answers, GraphQL errors, socket errors and timeouts together. */
  failed: number;
  /** Every answered request, good or not. */
  completed: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  durationS: number;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  // autocannon calls verifyBody right after the 'response' event of the same response, so this is
  // that response's status: a non-200 is already counted as such and must not count twice.
  let lastStatus = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: options.body,
        connections: options.connections,
        duration: options.durationS,
        timeout: 30,
        // A 200 with `errors` is a failed request, not a fast one.
        verifyBody: (body) => lastStatus !== 200 || !body.includes('"errors"'),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
        const ok = Math.max(0, result.requests.total - result.non2xx - result.mismatches);
        resolve({
          ok,
          failed,
          completed: result.requests.total,
          rps: ok / result.duration,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          durationS: result.duration,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      lastStatus = statusCode;
      if (statusCode === 200) latencies.push(responseTimeMs);
    });
  });
}
