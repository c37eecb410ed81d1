// REDIS_URL and its companions: validated at start, naming the variable and never echoing a value
// that may carry a password.

import { expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const redisConfig = (env: Record<string, string>) => loadConfig(env).redis;

test('without REDIS_URL nothing is shared', () => {
  expect(redisConfig({})).toBeUndefined();
});

test('redis:// and rediss:// (TLS) with a password, a database number and a prefix', () => {
  expect(redisConfig({ REDIS_URL: 'rediss://:s3cret@redis.internal:6380/2', REDIS_KEY_PREFIX: 'team-a:' })).toEqual({
    url: 'rediss://:s3cret@redis.internal:6380/2',
    password: undefined,
    keyPrefix: 'team-a:',
    connectTimeoutMs: 2000,
    commandTimeoutMs: 500,
    leaseTtlMs: 15000,
  });
  const separate = redisConfig({ REDIS_URL: 'redis://redis:6379', REDIS_PASSWORD: 'from-a-secret', REDIS_COMMAND_TIMEOUT_MS: '250' });
  expect(separate).toMatchObject({ password: 'from-a-secret', keyPrefix: 'nhn-gateway:', commandTimeoutMs: 250 });
});

test.each([
  ['REDIS_URL', { REDIS_URL: 'http://:hunter2@redis:6379' }],
  ['REDIS_URL', { REDIS_URL: 'not a url hunter2' }],
  ['REDIS_URL', { REDIS_URL: 'redis://:hunter2@redis:6379/keys' }],
  ['REDIS_KEY_PREFIX', { REDIS_URL: 'redis://redis', REDIS_KEY_PREFIX: 'has space' }],
  ['REDIS_COMMAND_TIMEOUT_MS', { REDIS_URL: 'redis://redis', REDIS_COMMAND_TIMEOUT_MS: '0' }],
  ['LIVE_LEASE_TTL_MS', { REDIS_URL: 'redis://redis', LIVE_LEASE_TTL_MS: '5' }],
])('a bad %s stops the start, naming it and not the password', (name, env) => {
  let error: unknown;
  try {
    loadConfig(env);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toContain(name);
  expect((error as Error).message).not.toContain('hunter2');
});
