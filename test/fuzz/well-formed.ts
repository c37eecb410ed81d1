// What every answer of the gateway must be, whatever it was sent or the upstream answered: an HTTP
// status below 500, a JSON body, and errors that each carry a known code, none of them the masked
// INTERNAL_SERVER_ERROR (a bug: the fuzz suites treat every one as a failure), no stack trace, and
// nothing of the upstream's location. Also the count of runs (and of answers with errors, which
// shows the fuzzing reaches the failure paths), printed once per file.

import { expect } from 'vitest';
import { ERROR_CODES, PROTOCOL_ERROR_CODES } from '../../src/schema/errors.js';
import { type GraphQLBody, leaksIn, type Stack } from '../helpers/gateway.js';

const KNOWN_CODES = new Set<string>([...ERROR_CODES, ...PROTOCOL_ERROR_CODES]);
const STACK_FRAME = /\n\s+at |\bat (?:async )?[\w.<>]+ \(|node:internal|\.ts:\d+:\d+/;

export async function wellFormed(response: Response, stack: Stack, context: string): Promise<GraphQLBody> {
  const text = await response.text();
  const where = `${context}\n→ HTTP ${response.status} ${text.slice(0, 600)}`;
  expect(response.status, where).toBeLessThan(500);
  let body: GraphQLBody;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    throw new Error(`not JSON: ${where}`);
  }
  for (const error of body.errors ?? []) {
    const code = error.extensions?.code;
    expect(KNOWN_CODES.has(code), `unknown code ${code}: ${where}`).toBe(true);
    expect(code, where).not.toBe('INTERNAL_SERVER_ERROR');
    expect(STACK_FRAME.test(error.message) || 'stacktrace' in (error.extensions ?? {}), `a stack trace: ${where}`).toBe(false);
  }
  expect(leaksIn(body.errors, stack), where).toEqual([]);
  return body;
}

/** Runs of each property and how many of them were answered with errors, printed after the file. */
export class RunCounts {
  readonly #counts = new Map<string, { runs: number; withErrors: number }>();

  add(property: string, answer: GraphQLBody): void {
    const count = this.#counts.get(property) ?? { runs: 0, withErrors: 0 };
    count.runs++;
    if ((answer.errors?.length ?? 0) > 0) count.withErrors++;
    this.#counts.set(property, count);
  }

  print(title: string): void {
    const all = [...this.#counts.values()];
    const total = all.reduce((sum, c) => sum + c.runs, 0);
    const lines = [...this.#counts].map(([property, c]) => `  ${property}: ${c.runs} runs, ${c.withErrors} answered with errors`);
    console.log(`${title}: ${total} runs over ${this.#counts.size} properties\n${lines.join('\n')}`);
  }
}
