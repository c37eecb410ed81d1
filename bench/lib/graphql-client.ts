// Single GraphQL requests over HTTP, for the checks before a measurement and for the soak's traffic
// (which needs each answer's error codes, so it cannot use autocannon).

import { Pool } from 'undici';

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphqlAnswer<T = Record<string, unknown>> {
  status: number;
  text: string;
  data?: T | null;
  errors?: GraphqlError[];
}

export class GraphqlClient {
  readonly #pool: Pool;
  readonly #path: string;

  constructor(graphqlUrl: string, connections = 16) {
    const url = new URL(graphqlUrl);
    this.#pool = new Pool(url.origin, { connections });
    this.#path = url.pathname;
  }

  async post<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer<T>> {
    const response = await this.#pool.request({
      method: 'POST',
      path: this.#path,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    const text = await response.body.text();
    let parsed: { data?: T | null; errors?: GraphqlError[] } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // not JSON (a proxy error page, say): status and text tell what happened
    }
    return { status: response.statusCode, text, data: parsed.data, errors: parsed.errors };
  }

  /** The data of an answer without errors; throws with the answer otherwise. */
  async data<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const answer = await this.post<T>(query, variables);
    if (answer.status !== 200 || answer.errors?.length || answer.data == null) {
      throw new Error(`GraphQL request failed (${answer.status}): ${answer.text.slice(0, 500)}`);
    }
    return answer.data;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
