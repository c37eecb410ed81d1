// `npm run simulator` (src/simulator/main.ts) as a user runs it: settings from the SIMULATOR_*
// variables, the printed credentials work, and SIGTERM stops it cleanly.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './harness.js';
import { sample } from './harness.js';
import { shapeDifferences } from './shape.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENV = {
  SIMULATOR_PORT: '0',
  SIMULATOR_TENANT_ID: '0123456789abcdef0123456789abcdef',
  SIMULATOR_USERNAME: 'tester@example.com',
  SIMULATOR_API_PASSWORD: 'printed-secret',
  SIMULATOR_BUILD_DELAY_MS: '25',
};

let child: ChildProcess;
let output = '';

/** The printed `name   value` lines. */
function printed(label: string): string {
  const line = output.split('\n').find((l) => l.trim().startsWith(label));
  if (!line) throw new Error(`"${label}" not printed:\n${output}`);
  return line.trim().slice(label.length).trim().split(/\s+/)[0]!;
}

beforeAll(async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NHN_') && !key.startsWith('SIMULATOR_')));
  child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts'], { cwd: ROOT, env: { ...env, ...ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output in time:\n${output}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('controls')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
});

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm run simulator', () => {
  it('prints the identity URL, tenant id, username and API password from the SIMULATOR_* settings', () => {
    expect(printed('identity URL')).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed('identity URL')).not.toMatch(/:0$/);
    expect(printed('tenant id')).toBe(ENV.SIMULATOR_TENANT_ID);
    expect(printed('username')).toBe(ENV.SIMULATOR_USERNAME);
    expect(printed('API password')).toBe(ENV.SIMULATOR_API_PASSWORD);
  });

  it('serves the API: a token from the printed credentials lists flavors, servers, keypairs and zones', async () => {
    const url = printed('identity URL');
    const h = new Harness({ url, identityUrl: url, tenantId: printed('tenant id'), username: printed('username'), apiPassword: printed('API password') } as never);
    await h.login();
    expect(shapeDifferences((await h.compute('GET', '/flavors/detail')).body, sample('compute-flavors-detail-resp.json'))).toEqual([]);
    expect(shapeDifferences((await h.compute('GET', '/servers')).body, sample('compute-servers-list-resp.json'))).toEqual([]);
    expect(shapeDifferences((await h.compute('GET', '/os-keypairs')).body, sample('compute-keypairs-list-resp.json'))).toEqual([]);
    expect((await h.compute('GET', '/os-availability-zone')).body).toEqual(sample('compute-availability-zones-list-resp.json'));
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
