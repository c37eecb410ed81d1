// The one mapping from upstream failures to GraphQL error codes, and the masking of the rest.

import { describe, expect, test } from 'vitest';
import { fromUpstream, isRequestInputError, scrub, toClientError, withoutVariableValues } from '../../src/schema/errors.js';
import { GraphQLError } from '../../src/schema/graphql.js';
import { UpstreamError } from '../../src/upstream/errors.js';

const http = (status: number, message: string, service: UpstreamError['service'] = 'compute') =>
  new UpstreamError({ service, kind: 'http', status, message, requestId: 'req-1' });

describe('fromUpstream', () => {
  test.each([
    [400, 'Invalid key_name provided.', 'BAD_USER_INPUT'],
    [401, 'The request you have made requires authentication.', 'UNAUTHENTICATED'],
    [403, 'Policy does not allow compute:servers:create.', 'FORBIDDEN'],
    [403, 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances', 'QUOTA_EXCEEDED'],
    [403, 'Quota exceeded, too many key pairs.', 'QUOTA_EXCEEDED'],
    [404, 'Instance x could not be found.', 'NOT_FOUND'],
    [409, "Cannot 'os-start' instance x while it is in vm_state active", 'CONFLICT'],
    [413, 'Over limit', 'QUOTA_EXCEEDED'],
    [429, 'Rate limited', 'UPSTREAM_UNAVAILABLE'],
    [500, "Unexpected API Error. <class 'nova.exception.Boom'>", 'UPSTREAM_UNAVAILABLE'],
    [503, 'Service Unavailable', 'UPSTREAM_UNAVAILABLE'],
    [405, 'Method not allowed', 'INTERNAL_SERVER_ERROR'],
  ])('HTTP %i (%s) -> %s', (status, message, code) => {
    expect(fromUpstream(http(status, message)).extensions).toMatchObject({
      code,
      upstream: { service: 'compute', status, requestId: 'req-1' },
    });
  });

  test('client errors keep the upstream message; server errors hide their internals', () => {
    expect(fromUpstream(http(409, 'Cannot stop now')).message).toBe('Cannot stop now');
    expect(fromUpstream(http(500, "Unexpected API Error. <class 'nova.exception.Boom'>")).message).toBe(
      'The compute service is unavailable (HTTP 500).',
    );
  });

  test('timeouts and connection failures', () => {
    const timeout = new UpstreamError({ service: 'image', kind: 'timeout', message: 'headers timeout' });
    const down = new UpstreamError({ service: 'volume', kind: 'unavailable', message: 'breaker open' });
    expect(fromUpstream(timeout)).toMatchObject({ message: 'The image service did not answer in time.', extensions: { code: 'UPSTREAM_TIMEOUT' } });
    expect(fromUpstream(down)).toMatchObject({ message: 'The volume service is unavailable.', extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
  });

  test("the service account's own sign-in refused is UPSTREAM_UNAVAILABLE for the caller, with a word for the operator", () => {
    const refused = new UpstreamError({ service: 'identity', kind: 'http', status: 401, message: 'The request you have made requires authentication.' });
    expect(fromUpstream(refused).extensions.code).toBe('UNAUTHENTICATED');
    expect(fromUpstream(refused.ofServiceAccount())).toMatchObject({
      message: expect.stringMatching(/could not sign in to the identity service with its service account \(HTTP 401\)/),
      extensions: { code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'identity', status: 401 } },
    });
  });

  test('a URL or header too long for the upstream (414, 431) is BAD_USER_INPUT', () => {
    for (const status of [414, 431]) {
      expect(fromUpstream(http(status, ''))).toMatchObject({ message: expect.stringMatching(/shorten the arguments/), extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  test('Retry-After travels along', () => {
    const limited = new UpstreamError({ service: 'compute', kind: 'http', status: 429, message: 'x', retryAfterSeconds: 3 });
    expect(fromUpstream(limited).extensions.retryAfterSeconds).toBe(3);
  });
});

describe('scrub', () => {
  test('removes URLs and hosts, keeps the rest', () => {
    expect(
      scrub('Image at https://kr1-api-image-infrastructure.nhncloudservice.com/v2/images/x and 10.0.0.1:9292 or kr1-api-instance.infrastructure.cloud.toast.com is gone; IP 172.16.0.40 in use'),
    ).toBe('Image at [url] and [host] or [host] is gone; IP 172.16.0.40 in use');
  });
});

describe('toClientError', () => {
  const located = (original: Error) => new GraphQLError(original.message, { path: ['server', 'image'], originalError: original });

  test('an upstream failure keeps its path and gets its code', () => {
    const error = toClientError(located(http(404, 'Image x could not be found.', 'image')));
    expect(error.path).toEqual(['server', 'image']);
    expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', upstream: { service: 'image', status: 404 } });
  });

  test('unexpected errors are masked, keeping their path', () => {
    const error = toClientError(located(new TypeError("Cannot read properties of undefined (reading 'token')")));
    expect(error.message).toBe('Unexpected error.');
    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.path).toEqual(['server', 'image']);
    expect(toClientError('a thrown string').message).toBe('Unexpected error.');
  });

  test('a request refused for its variables (no path, no code) is BAD_USER_INPUT; a code-less error at a field is masked', () => {
    const variables = new GraphQLError('Variable "$id" of required type "ID!" was not provided.');
    expect(isRequestInputError(variables)).toBe(true);
    expect(toClientError(variables)).toMatchObject({ message: variables.message, extensions: { code: 'BAD_USER_INPUT' } });
    const serialization = located(new GraphQLError('String cannot represent value: {}'));
    expect(isRequestInputError(serialization)).toBe(false);
    expect(toClientError(serialization)).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' }, path: ['server', 'image'] });
  });

  test('withoutVariableValues takes the quoted variable values out of a request error, and nothing else', () => {
    const error = new GraphQLError('Variable "$i" got invalid value { password: "s3cret \\"x", n: 1 }; Field "n" is not defined by type "In".');
    const cleaned = withoutVariableValues(error, { i: { password: 's3cret "x', n: 1 } });
    expect(cleaned.message).toBe('Variable "$i" got invalid value { password: "[value]", n: 1 }; Field "n" is not defined by type "In".');
    const atField = located(new GraphQLError('s3cret'));
    expect(withoutVariableValues(atField, { p: 's3cret' })).toBe(atField);
  });

  test("the gateway's own errors and graphql's pass unchanged", () => {
    const ours = new GraphQLError('first: must be between 1 and 1000', { extensions: { code: 'BAD_USER_INPUT' } });
    expect(toClientError(ours)).toBe(ours);
    const wrapped = located(ours);
    expect(toClientError(wrapped)).toBe(wrapped);
  });
});
