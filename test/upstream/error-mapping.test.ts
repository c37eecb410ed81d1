// The one error mapping, fed with the real error bodies from test/fixtures/api-samples (copies of ../shared/api-samples) and with the
// formats the other services use (Glance text and HTML, Neutron).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, parseErrorBody, sanitizeMessage } from '../../src/upstream/http.js';

// Verbatim copies of ../shared/api-samples, kept in the repo so a fresh clone runs the tests.
const sample = (name: string): string => readFileSync(new URL(`../fixtures/api-samples/${name}`, import.meta.url), 'utf8');

describe('parseErrorBody', () => {
  it('reads a Nova fault envelope', () => {
    expect(parseErrorBody(sample('error-conflictingRequest-invalid-state-resp.json'))).toEqual({
      fault: 'conflictingRequest',
      message: "Cannot 'start' instance aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec while it is in vm_state active",
    });
    expect(parseErrorBody(sample('compute-error-badrequest-observed.json'))).toEqual({
      fault: 'badRequest',
      message: 'Volume size is too small.',
    });
    expect(parseErrorBody(sample('error-forbidden-quota-resp.json')).fault).toBe('forbidden');
    expect(parseErrorBody(sample('error-itemNotFound-server-resp.json')).fault).toBe('itemNotFound');
  });

  it('reads a Keystone error, taking the title as the fault', () => {
    expect(parseErrorBody(sample('token-create-error-401-resp.json'))).toEqual({
      fault: 'Unauthorized',
      message: 'The request you have made requires authentication.',
    });
  });

  it('reads a Neutron error, taking its type as the fault', () => {
    const body = JSON.stringify({ NeutronError: { type: 'NetworkNotFound', message: 'Network x could not be found.', detail: '' } });
    expect(parseErrorBody(body)).toEqual({ fault: 'NetworkNotFound', message: 'Network x could not be found.' });
  });

  it("reads Glance's webob text without its status line", () => {
    expect(parseErrorBody('400 Bad Request\n\nlimit param must be an integer\n\n   ')).toEqual({
      message: 'limit param must be an integer',
    });
  });

  it("reads Glance's webob HTML without markup, title or heading", () => {
    const html =
      '<html>\n <head>\n  <title>400 Bad Request</title>\n </head>\n <body>\n  <h1>400 Bad Request</h1>\n' +
      '  Invalid visibility value: x<br /><br />\n\n\n\n </body>\n</html>';
    expect(parseErrorBody(html)).toEqual({ message: 'Invalid visibility value: x' });
  });

  it('answers nothing usable for empty or shapeless bodies', () => {
    expect(parseErrorBody('')).toEqual({});
    expect(parseErrorBody('{"unexpected": 1}')).toEqual({});
    expect(parseErrorBody('[1,2]')).toEqual({});
  });
});

describe('sanitizeMessage', () => {
  it('removes URLs, hosts, addresses and secrets', () => {
    const text =
      'token tok-123456 for pw-secret failed at https://kr1-api-instance-infrastructure.nhncloudservice.com/v2/x ' +
      'via 10.0.0.12:8774 and glance.internal:9292 on kr1-api-image-infrastructure.nhncloudservice.com';
    const safe = sanitizeMessage(text, { secrets: ['tok-123456', 'pw-secret'] });
    expect(safe).toBe('token [redacted] for [redacted] failed at [url] via [host] and [host] on [host]');
  });

  it('removes the host the request went to, keeps Python class names, and bounds the length', () => {
    expect(sanitizeMessage('cannot reach upstream-a while nova.exception.InstanceNotFound', { host: 'upstream-a' })).toBe(
      'cannot reach [host] while nova.exception.InstanceNotFound',
    );
    expect(sanitizeMessage('x'.repeat(2000)).length).toBe(500);
  });
});

describe('errorFromResponse', () => {
  it('builds an UpstreamError with status, fault, request id and Retry-After, and no URL', () => {
    const error = errorFromResponse(
      'compute',
      500,
      { 'x-openstack-request-id': 'req-abc', 'retry-after': '7' },
      sample('error-computeFault-resp.json'),
    );
    expect(error).toMatchObject({ service: 'compute', kind: 'http', status: 500, fault: 'computeFault', requestId: 'req-abc', retryAfterSeconds: 7 });
    expect(error.message).toMatch(/^Unexpected API Error\. Please report this at \[url\] and attach/);
    expect(error.message).not.toMatch(/http|launchpad/);
  });

  it('falls back to x-compute-request-id and to a generic message', () => {
    const error = errorFromResponse('volume', 503, { 'x-compute-request-id': 'req-c' }, '');
    expect(error).toMatchObject({ kind: 'http', status: 503, requestId: 'req-c', fault: undefined });
    expect(error.message).toBe('The volume service answered 503');
  });
});
