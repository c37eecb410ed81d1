// The part of autocannon 8's programmatic API the bench uses (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds. */
      timeout?: number;
      pipelining?: number;
      /** Mismatches are counted for each body this does not accept. */
      verifyBody?: (body: string) => boolean;
    }

    interface Result {
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      /** Seconds. */
      duration: number;
      requests: { total: number; average: number; sent: number };
      latency: { p50: number; p99: number; average: number };
    }

    interface Instance {
      stop(): void;
      on(
        event: 'response',
        listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
      ): Instance;
    }
  }

  function autocannon(options: autocannon.Options, callback: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  export = autocannon;
}
