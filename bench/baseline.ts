// The "physical limit" for Q1: a hand-written node:http + undici program that makes the upstream calls
// the gateway needs at best and writes the same JSON, with no GraphQL in between. It answers every
// POST /graphql with Q1's result (the body is ignored) and GET /ready once it holds a token.
//
// Per request, in two round trips (the least possible: image ids are only known from the list):
//   1. GET servers/detail?limit=100, GET flavors/detail, GET os-keypairs  (in parallel)
//   2. GET image /v2/images?id=in:<distinct image ids>
// With `cacheTtlMs` > 0 the flavor catalogue, images and keypairs are kept like the gateway keeps
// them, so a warm request is the server list alone: the fair opponent of a warm gateway. With 0
// every request makes all four calls: the opponent of a cold gateway.
//
// Started by bench/lib/services.ts with one JSON argument (BaselineOptions).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent, request } from 'undici';
import { buildServersPage, type GlanceImage, type NovaFlavor, type NovaKeypair, type NovaServer } from './lib/q1-json.js';

export interface BaselineOptions {
  port: number;
  identityUrl: string;
  tenantId: string;
  username: string;
  apiPassword: string;
  region: string;
  /** 0: no cache (every request makes all calls). */
  cacheTtlMs: number;
  /** Keep-alive connections to the upstream origin (the gateway's default is 32). */
  connections: number;
  pageSize: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as BaselineOptions;
const dispatcher = new Agent({ connections: options.connections });

let token = '';
const endpoints = { compute: '', image: '' };

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const response = await request(url, {
    method,
    dispatcher,
    headers: body === undefined ? { 'x-auth-token': token } : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.statusCode >= 300) {
    await response.body.dump();
    throw new Error(`${method} ${new URL(url).pathname} answered ${response.statusCode}`);
  }
  return (await response.body.json()) as T;
}

interface TokenResponse {
  access: { token: { id: string }; serviceCatalog?: { type?: string; endpoints?: { region?: string; publicURL?: string }[] }[] };
}

/** The token is issued once: the gateway caches its token for hours, so it is not part of a request. */
async function authenticate(): Promise<void> {
  const { access } = await call<TokenResponse>('POST', `${options.identityUrl}/v2.0/tokens`, {
    auth: { tenantId: options.tenantId, passwordCredentials: { username: options.username, password: options.apiPassword } },
  });
  token = access.token.id;
  const publicUrl = (type: string): string => {
    const entry = access.serviceCatalog?.find((e) => e.type === type);
    const endpoint = entry?.endpoints?.find((e) => e.region?.toUpperCase() === options.region) ?? entry?.endpoints?.[0];
    if (!endpoint?.publicURL) throw new Error(`no ${type} endpoint in the catalog`);
    return endpoint.publicURL.replace(/\/+$/, '');
  };
  endpoints.compute = publicUrl('compute');
  endpoints.image = publicUrl('image');
}

/** A value loaded at most once per TTL, with concurrent callers sharing one load. */
function cached<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  let expires = 0;
  return () => {
    if (options.cacheTtlMs === 0) return load();
    if (value === undefined || Date.now() >= expires) {
      expires = Date.now() + options.cacheTtlMs;
      value = load();
      value.catch(() => (value = undefined));
    }
    return value;
  };
}

const flavors = cached(async () => (await call<{ flavors: NovaFlavor[] }>('GET', `${endpoints.compute}/flavors/detail`)).flavors);
const keypairs = cached(async () => {
  const body = await call<{ keypairs: { keypair: NovaKeypair }[] }>('GET', `${endpoints.compute}/os-keypairs`);
  return body.keypairs.map((k) => k.keypair);
});

const imageCache = new Map<string, { image: GlanceImage; expires: number }>();

async function images(ids: string[]): Promise<Map<string, GlanceImage>> {
  const found = new Map<string, GlanceImage>();
  const now = Date.now();
  const missing = ids.filter((id) => {
    const hit = imageCache.get(id);
    if (hit && hit.expires > now) found.set(id, hit.image);
    return !found.has(id);
  });
  if (missing.length === 0) return found;
  const url = `${endpoints.image}/v2/images?id=in:${missing.map(encodeURIComponent).join(',')}&limit=${missing.length}`;
  const body = await call<{ images: GlanceImage[] }>('GET', url);
  for (const image of body.images) {
    found.set(image.id, image);
    if (options.cacheTtlMs > 0) imageCache.set(image.id, { image, expires: now + options.cacheTtlMs });
  }
  return found;
}

function imageIdOf(server: NovaServer): string | undefined {
  return typeof server.image === 'object' && server.image !== null ? server.image.id : undefined;
}

async function serversPage(): Promise<string> {
  const [list, flavorList, keypairList] = await Promise.all([
    call<{ servers: NovaServer[] }>('GET', `${endpoints.compute}/servers/detail?limit=${options.pageSize}`),
    flavors(),
    keypairs(),
  ]);
  const imageIds = [...new Set(list.servers.map(imageIdOf).filter((id): id is string => id !== undefined))];
  const imageMap = await images(imageIds);
  return buildServersPage(list.servers, flavorList, imageMap, keypairList);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  // The body is not needed, but must be read so that keep-alive works.
  req.resume();
  if (req.method === 'GET' && req.url === '/ready') {
    res.writeHead(token ? 200 : 503).end();
    return;
  }
  if (req.method !== 'POST' || !req.url?.startsWith('/graphql')) {
    res.writeHead(404).end();
    return;
  }
  serversPage().then(
    (json) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(json),
    (error: unknown) => res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error)),
  );
}

const server = createServer(handle);
server.keepAliveTimeout = 65_000;
server.listen(options.port, '127.0.0.1');
await authenticate();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    void dispatcher.close().finally(() => process.exit(0));
  });
}
