// Several gateway replicas as real processes, sharing one simulator (in the test process, so its
// counters are exact) and a real redis-server started on a free port; HAProxy in front where a test
// needs the load balancer. Tools come from Debian (.ci/run installs them): on a machine without them
// these tests skip and say so, under CI (CI=true) a missing tool fails instead.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { test } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { type GatewayProcess, startGatewayProcess, TOKEN_ROUTE } from './gateway.js';

function installed(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * True when every tool is on PATH. Otherwise a visible skipped test names what is missing (or, under
 * CI, a failing one: CI installs them, so their absence is a broken CI, not a fresh laptop).
 */
export function haveTools(...tools: string[]): boolean {
  const missing = tools.filter((tool) => !installed(tool));
  if (missing.length === 0) return true;
  const why = `needs ${missing.join(', ')} on PATH (Debian: apt-get install ${missing.join(' ')}; .ci/run installs them)`;
  if (process.env.CI === 'true') {
    test(`tools for these tests are installed: ${why}`, () => {
      throw new Error(`CI must run these tests: ${why}`);
    });
  } else {
    console.warn(`SKIPPED: ${why}`);
    test.skip(`SKIPPED: ${why}`, () => {});
  }
  return false;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function untilOutput(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 10_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve(output);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
}

export interface RedisServer {
  port: number;
  /** With `tls`: the CA file (a self-signed certificate for 127.0.0.1) clients must trust. */
  caFile?: string;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  /** Stops it (SIGKILL: as abrupt as a crashed Redis). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Every key with its value(s), as text: for scanning what replicas wrote. */
  dump(): Promise<Map<string, string>>;
  /** A client of its own (closed by `close`). */
  client(): Redis;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 (openssl), for a TLS-only redis-server. */
function selfSignedCertificate(): { dir: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { dir, cert, key };
}

export async function startRedis(options: { password?: string; tls?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  const tls = options.tls ? selfSignedCertificate() : undefined;
  const start = async () => {
    const listen = tls === undefined ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-auth-clients', 'no'];
    const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await untilOutput(child, /Ready to accept connections/, 'redis-server');
  };
  const kill = async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  const client = () => {
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      password: options.password,
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      ...(tls === undefined ? {} : { tls: { ca: readFileSync(tls.cert) } }),
    });
    redis.on('error', () => {}); // the tests kill this server on purpose
    clients.push(redis);
    return redis;
  };
  await start();
  return {
    port,
    caFile: tls?.cert,
    url: `${tls === undefined ? 'redis' : 'rediss'}://${auth}127.0.0.1:${port}`,
    kill,
    start,
    client,
    async dump() {
      const redis = client();
      await redis.ping();
      const all = new Map<string, string>();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const type = await redis.type(key);
          if (type === 'string') all.set(key, (await redis.get(key)) ?? '');
          else if (type === 'hash') all.set(key, JSON.stringify(await redis.hgetall(key)));
          else if (type === 'set') all.set(key, JSON.stringify(await redis.smembers(key)));
          else if (type === 'list') all.set(key, JSON.stringify(await redis.lrange(key, 0, -1)));
          else if (type === 'zset') all.set(key, JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')));
          else all.set(key, `(${type})`);
        }
      } while (cursor !== '0');
      return all;
    },
    async close() {
      for (const redis of clients) redis.disconnect();
      await kill();
      if (tls !== undefined) rmSync(tls.dir, { recursive: true, force: true });
    },
  };
}

export interface Replicas {
  sim: Simulator;
  replicas: GatewayProcess[];
  /** Upstream calls by route since the last resetLog(), without token issuance. */
  calls(): Record<string, number>;
  gql<T = any>(replica: number | string, query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: any[] }>;
  close(): Promise<void>;
}

/** One simulator in this process and `count` gateway processes on it, sharing `redisUrl`. */
export async function startReplicas(count: number, options: { redisUrl?: string; env?: Record<string, string>; sim?: Simulator } = {}): Promise<Replicas> {
  const sim = options.sim ?? (await startSimulator({ port: 0, buildDelayMs: 30 }));
  const env: Record<string, string> = {
    NHN_IDENTITY_URL: sim.identityUrl,
    NHN_TENANT_ID: sim.tenantId,
    NHN_USERNAME: sim.username,
    NHN_API_PASSWORD: sim.apiPassword,
    LOG_LEVEL: 'info',
    UPSTREAM_RETRY_BASE_DELAY_MS: '1',
    ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }),
    ...options.env,
  };
  const replicas = await Promise.all(Array.from({ length: count }, () => startGatewayProcess(env)));
  return {
    sim,
    replicas,
    calls() {
      const { [TOKEN_ROUTE]: _tokens, ...rest } = sim.controls.counters();
      return rest;
    },
    async gql(replica, query, variables, headers = {}) {
      const origin = typeof replica === 'string' ? replica : replicas[replica]!.origin;
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: any; errors?: any[] };
    },
    async close() {
      await Promise.all(
        replicas.map((replica) => {
          if (replica.child.exitCode !== null || replica.child.signalCode !== null) return undefined;
          replica.child.kill('SIGKILL');
          return once(replica.child, 'exit');
        }),
      );
      if (options.sim === undefined) await sim.close();
    },
  };
}

export interface LoadBalancer {
  origin: string;
  close(): Promise<void>;
}

/** HAProxy round-robin over `origins` (HTTP mode, health-checked on /ready). */
export async function startHaproxy(origins: string[]): Promise<LoadBalancer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gw-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(port, origins));
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const up = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > up) throw new Error('haproxy did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same configuration as deploy/local/haproxy.cfg, with ports filled in. */
export function haproxyConfig(port: number, origins: string[]): string {
  const servers = origins.map((origin, index) => `  server gw${index + 1} ${new URL(origin).host} check inter 1s fall 2 rise 1`);
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  option http-keep-alive',
    `frontend gateway`,
    `  bind 127.0.0.1:${port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk GET /ready',
    "  retry-on conn-failure",
    '  retries 2',
    '  option redispatch',
    ...servers,
    '',
  ].join('\n');
}
