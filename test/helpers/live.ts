// A stack served on a real port (node:http, Yoga's SSE and graphql-ws on /graphql), with short live
// intervals, and real subscription clients: graphql-sse (distinct connections mode) and graphql-ws.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { attachLiveTransports, type LiveTransports } from '../../src/live/transport.js';
import { type Stack, type StackOptions, startStack } from './gateway.js';

/** Tens of milliseconds: the suites run on 2 cores in CI within their budget. */
export const LIVE_TEST_ENV: Record<string, string> = {
  LIVE_FAST_INTERVAL_MS: '25',
  LIVE_SLOW_INTERVAL_MS: '150',
  LIVE_RELIST_INTERVAL_MS: '3000',
  // Nova's updated_at has whole seconds: the overlap must cover at least one.
  LIVE_OVERLAP_MS: '2000',
  LIVE_FAST_AFTER_MUTATION_MS: '500',
  LIVE_IDLE_STOP_MS: '50',
  LIVE_MAX_BACKOFF_MS: '200',
  LIVE_PROOF_INTERVAL_MS: '300',
  LIVE_KEEPALIVE_MS: '1000',
};

export interface LiveStack extends Stack {
  origin: string;
  server: Server;
  transports: LiveTransports;
  /** Subscribes over SSE (graphql-sse, distinct connections mode). */
  sse(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Subscription;
  /** Subscribes over a WebSocket of its own (graphql-ws). */
  ws(query: string, variables?: Record<string, unknown>, connectionParams?: Record<string, string>): Subscription;
}

export interface Subscription {
  results: any[];
  /** Resolves when the server completes the subscription; rejects on a transport error. */
  done: Promise<void>;
  completed: boolean;
  /** The first result (from now or already received, at index >= `from`) for which `match` holds. */
  next(match: (result: any) => boolean, timeoutMs?: number): Promise<any>;
  dispose(): void;
}

export function collect(start: (sink: { next(value: any): void; error(error: unknown): void; complete(): void }) => () => void): Subscription {
  const results: any[] = [];
  const waiters = new Set<() => void>();
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  done.catch(() => undefined);
  const sub: Subscription = {
    results,
    done,
    completed: false,
    next(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = results.find(match);
          if (found === undefined) return false;
          waiters.delete(check as () => void);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check as () => void);
          reject(new Error(`no matching result in ${timeoutMs} ms; got ${JSON.stringify(results)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check as () => void);
      });
    },
    dispose: () => undefined,
  };
  sub.dispose = start({
    next(value) {
      results.push(value);
      for (const waiter of [...waiters]) waiter();
    },
    error(error) {
      // graphql-ws reports a refused document (validation, limits) as an `error` message: its errors.
      if (Array.isArray(error)) results.push({ errors: error });
      fail(error);
    },
    complete() {
      sub.completed = true;
      finish();
    },
  });
  return sub;
}

export async function startLiveStack(options: StackOptions = {}): Promise<LiveStack> {
  const env = options.env;
  const stack = await startStack({
    buildDelayMs: options.buildDelayMs ?? 300,
    ...options,
    env: (sim) => ({ ...LIVE_TEST_ENV, ...(typeof env === 'function' ? env(sim) : env) }),
  });
  const server = createServer(stack.gateway.yoga);
  const transports = attachLiveTransports(server, stack.gateway, stack.config);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: (() => void)[] = [];

  return {
    ...stack,
    origin,
    server,
    transports,
    sse(query, variables, headers) {
      const client = createSseClient({ url: `${origin}/graphql`, headers: headers ?? {}, retryAttempts: 0, singleConnection: false });
      clients.push(() => client.dispose());
      return collect((sink) => client.subscribe({ query, variables }, sink));
    },
    ws(query, variables, connectionParams) {
      const client = createWsClient({ url: `${origin.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
      clients.push(() => void client.dispose());
      return collect((sink) => client.subscribe({ query, variables }, sink));
    },
    async close() {
      for (const dispose of clients) dispose();
      stack.gateway.live.close();
      transports.endStreams();
      await transports.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stack.close();
    },
  };
}
