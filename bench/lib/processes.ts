// Child processes for the bench and the soak: spawning node scripts, waiting until they serve, and
// stopping them again. Every process a run starts is stopped when the run ends, even on a crash or
// Ctrl-C, so a failed bench never leaves a simulator or gateway holding a port.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

/** The repository root (bench/lib/ is two levels below it). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last lines the process wrote to stderr/stdout, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<Child>();

function killAllOnExit(): void {
  for (const child of running) child.process.kill('SIGKILL');
}
process.once('exit', killAllOnExit);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllOnExit();
    process.exit(130);
  });
}

export interface SpawnOptions {
  /** Arguments for node before the script, e.g. `['--import', 'tsx']` or `['--cpu-prof']`. */
  nodeArgs?: string[];
  args?: string[];
  env?: Record<string, string>;
  /** Called with every stdout line (the tail keeps them as well). */
  onStdoutLine?: (line: string) => void;
}

/** Starts `node [nodeArgs] script [args]` in the repository root. */
export function spawnNode(name: string, script: string, options: SpawnOptions = {}): Child {
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`${name}: could not start ${script}`);

  const lines: string[] = [];
  const remember = (line: string): void => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    remember(line);
    options.onStdoutLine?.(line);
  });
  createInterface({ input: proc.stderr! }).on('line', remember);

  const exited = once(proc, 'exit').then(() => undefined);
  const child: Child = {
    name,
    pid: proc.pid,
    process: proc,
    tail: () => lines.join('\n'),
    async stop(graceMs = 5_000) {
      running.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** Resolves with the first stdout line that parses as a JSON object (how helper processes report). */
export function firstJsonLine<T>(name: string, script: string, options: SpawnOptions, timeoutMs = 15_000): Promise<{ child: Child; value: T }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const child = spawnNode(name, script, {
      ...options,
      onStdoutLine(line) {
        if (settled || !line.startsWith('{')) return;
        try {
          const value = JSON.parse(line) as T;
          settled = true;
          clearTimeout(timer);
          resolve({ child, value });
        } catch {
          // not our report line; keep waiting
        }
      },
    });
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void child.stop();
      reject(new Error(`${name} ${why}\n${child.tail()}`));
    };
    const timer = setTimeout(() => fail(`did not report within ${timeoutMs} ms`), timeoutMs);
    child.process.once('exit', (code) => fail(`exited (code ${code}) before reporting`));
  });
}

/**
 * Polls `url` every `intervalMs` until it answers 200; resolves with the milliseconds since
 * `startedAt` (a performance.now() value). Fails early when the process exits.
 */
export async function waitForReady(child: Child, url: string, startedAt: number, timeoutMs = 20_000, intervalMs = 10): Promise<number> {
  while (performance.now() - startedAt < timeoutMs) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited before ${url} was ready\n${child.tail()}`);
    try {
      const response = await request(url, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await response.body.dump();
      if (response.statusCode === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    await sleep(intervalMs);
  }
  await child.stop();
  throw new Error(`${child.name}: ${url} not ready after ${timeoutMs} ms\n${child.tail()}`);
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
