// `npm start` as a user runs it: with no NHN_IDENTITY_URL it says it runs on the embedded simulator,
// serves GraphQL, GraphiQL, /health and /ready, and drains and exits 0 on SIGTERM.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Resolves with the stdout lines once `until` matches one of them. */
function readUntil(process: ChildProcess, until: RegExp): Promise<string[]> {
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    let buffer = '';
    process.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
      if (parts.some((line) => until.test(line))) resolve(lines);
    });
    process.once('exit', (code) => reject(new Error(`exited with ${code} before ${until}: ${lines.join('\n')}`)));
  });
}

test('npm start on the embedded simulator: serves, then shuts down cleanly on SIGTERM', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SIMULATOR_BUILD_DELAY_MS: '50' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = await readUntil(child, /^Ready in \d+ ms/);
  expect(lines[0]).toMatch(/embedded NHN API simulator at http:\/\/127\.0\.0\.1:\d+/);
  const origin = /(http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(lines.join('\n'))![1];

  expect((await fetch(`${origin}/health`)).status).toBe(200);
  expect((await fetch(`${origin}/ready`)).status).toBe(200);
  const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  await page.arrayBuffer();
  const query = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ servers { edges { node { name flavor { name } image { name } } } } }' }),
  });
  const body = (await query.json()) as { data: { servers: { edges: unknown[] } } };
  expect(body.data.servers.edges).toHaveLength(6);

  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
});
