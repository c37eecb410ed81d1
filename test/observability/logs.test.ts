// The request log: one JSON line per request with its id, the trace id, the operation, the duration,
// the upstream calls it cost and its error codes; readable lines for a terminal; secrets redacted even
// when a caller of the logger passes them by mistake.

import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger, prettyLine } from '../../src/log.js';
import { type Stack, startStack } from '../helpers/gateway.js';

let stack: Stack;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startStack({ gateway: { logger: createLogger('debug', (line) => lines.push(line)) } });
  await stack.upstream.ready();
});
afterAll(() => stack.close());

const requestLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request');

test('one line per request: id, trace id, operation, duration, upstream calls, error codes', async () => {
  lines.length = 0;
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  await stack.post(
    { query: 'query Zones { availabilityZones { name } flavors { id } }' },
    { traceparent: `00-${traceId}-b7ad6b7169203331-01`, 'x-request-id': 'log-test-1' },
  );
  stack.sim.controls.failNext('GET compute /os-keypairs', 1, { status: 400 });
  await stack.post({ query: 'query Keys { keypairs { name } }' }, { 'x-request-id': 'log-test-2' });

  const [first, second, ...rest] = requestLines();
  expect(rest).toEqual([]);
  expect(first).toMatchObject({
    level: 'debug',
    requestId: 'log-test-1',
    traceId,
    method: 'POST',
    path: '/graphql',
    status: 200,
    operation: 'Zones',
    operationType: 'query',
    upstreamCalls: 2,
  });
  expect(first!.errorCodes).toBeUndefined();
  expect(typeof first!.ms).toBe('number');
  expect(typeof first!.time).toBe('string');
  expect(second).toMatchObject({ requestId: 'log-test-2', operation: 'Keys', upstreamCalls: 1, errorCodes: ['BAD_USER_INPUT'] });
  expect(second!.traceId).toBeUndefined();
});

test('a claimed operation name that is not a GraphQL name never reaches the log', async () => {
  lines.length = 0;
  await stack.post({ query: 'query {', operationName: 'free text secret-5e1f' }, { 'x-request-id': 'log-test-3' });
  const [line] = requestLines();
  expect(line).toMatchObject({ requestId: 'log-test-3', operation: 'anonymous', operationType: 'unknown', errorCodes: ['GRAPHQL_PARSE_FAILED'] });
  expect(lines.join('\n')).not.toContain('secret-5e1f');
});

test('fields that must never be logged are redacted, whoever passes them', () => {
  const written: string[] = [];
  const logger = createLogger('info', (line) => written.push(line));
  logger.info('oops', { token: 'gAAAAA-secret-token', password: 'pw-secret', service: 'compute' });
  logger.debug('not written');
  expect(written).toHaveLength(1);
  expect(JSON.parse(written[0]!)).toMatchObject({ level: 'info', msg: 'oops', token: '[redacted]', password: '[redacted]', service: 'compute' });
  expect(logger.enabled('debug')).toBe(false);
  expect(logger.enabled('warn')).toBe(true);
});

test('pretty lines for a terminal: time, level, message, fields', () => {
  const written: string[] = [];
  createLogger('info', (line) => written.push(line), { format: 'pretty' }).warn('upstream error', { service: 'compute', message: 'It failed', status: 503 });
  expect(written[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  upstream error service=compute message="It failed" status=503$/);
  expect(prettyLine('not json')).toBe('not json');
});
