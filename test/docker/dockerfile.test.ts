// No Docker engine runs on these machines, so this test does what can be done without one: it reads
// the Dockerfile, replays each stage's WORKDIR/COPY/RUN/ENV in a clean temporary folder per stage (the
// apt-get line that installs tini is the one command it cannot replay), then starts the final
// stage's CMD there and queries it. A Dockerfile whose build breaks, whose runtime stage misses a
// production dependency, or whose start command does not serve fails here.

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n');
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const dockerfile = readFileSync(join(repo, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const last = (op: string) => runtime.instructions.filter((i) => i.op === op).at(-1)?.args;

/** Replays one stage in `root` (its filesystem); returns the environment its ENV lines set. */
function replay(stage: Stage, root: string, stageRoots: Map<string, string>): Record<string, string> {
  let workdir = '/';
  const env: Record<string, string> = {};
  const inRoot = (path: string) => join(root, path.startsWith('/') ? path : join(workdir, path));
  for (const { op, args } of stage.instructions) {
    if (op === 'WORKDIR') {
      workdir = args;
      mkdirSync(inRoot('.'), { recursive: true });
    } else if (op === 'ENV') {
      const [key = '', value = ''] = args.split('=');
      env[key] = value;
    } else if (op === 'COPY') {
      const parts = args.split(/\s+/);
      const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
      const paths = parts.filter((p) => !p.startsWith('--'));
      const target = paths.pop()!;
      const sourceRoot = from ? stageRoots.get(from)! : repo;
      for (const source of paths) {
        const destination = target.endsWith('/') ? join(inRoot(target), source.split('/').at(-1)!) : inRoot(target);
        mkdirSync(dirname(destination), { recursive: true });
        cpSync(join(sourceRoot, source), destination, { recursive: true });
      }
    } else if (op === 'RUN') {
      if (/\bapt-get\b/.test(args)) continue; // system packages: needs the image, not this machine
      execFileSync('sh', ['-c', args], { cwd: inRoot('.'), env: { ...process.env, ...env }, stdio: 'pipe' });
    }
  }
  return env;
}

describe('Dockerfile', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'gateway-docker-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has a build stage and a production runtime stage that runs as node with an init and a health check', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(runtime.instructions.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    expect(last('ENV')).toBe('NODE_ENV=production');
    expect(last('USER')).toBe('node');
    expect(last('HEALTHCHECK')).toMatch(/\/health/);
    expect(JSON.parse(last('ENTRYPOINT') ?? '[]')).toEqual(['/usr/bin/tini', '--']);
    expect(JSON.parse(last('CMD') ?? '[]')[0]).toBe('node');
  });

  it('builds in a clean copy, and the runtime stage start command serves GraphQL and /health', async () => {
    const roots = new Map<string, string>();
    let env: Record<string, string> = {};
    for (const stage of stages) {
      const root = join(scratch, stage.name);
      mkdirSync(root, { recursive: true });
      roots.set(stage.name, root);
      env = replay(stage, root, roots);
    }
    const workdir = runtime.instructions.filter((i) => i.op === 'WORKDIR').at(-1)!.args;
    const [command, ...args] = JSON.parse(last('CMD')!) as string[];
    const child = spawn(command!, args, {
      cwd: join(roots.get(runtime.name)!, workdir),
      env: { PATH: process.env.PATH, ...env, PORT: '0', HOST: '127.0.0.1', METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /(http:\/\/[^\s]+)\/graphql/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ flavors { name vcpus } }' }),
      });
      const body = (await response.json()) as { data?: { flavors: { name: string }[] }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.flavors.length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
  }, 240_000);
});
