// The HTTP front: finds the service and route of a request, records it, adds latency, injects
// faults, checks the token, runs the handler and writes the answer with the request-id headers
// the real services send.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { serviceRoots, type PublicContext, type RequestContext, type Route } from './context.js';
import type { SimulatorCore } from './core.js';
import { handleControlRequest, type SimulatorControls } from './controls.js';
import {
  KEYSTONE_UNAUTHORIZED_MESSAGE,
  UNEXPECTED_NOVA_ERROR,
  keystoneFault,
  novaFault,
  serviceFault,
  statusText,
  type Service,
} from './errors.js';
import type { Fault } from './faults.js';
import { identityRoutes } from './identity.js';
import { imageRoutes } from './image/images.js';
import { networkRoutes } from './network/networks.js';
import { floatingIpRoutes } from './network/floating-ips.js';
import { portRoutes } from './network/ports.js';
import { securityGroupRoutes } from './network/security-groups.js';
import { ReplyError, textReply, type Reply } from './reply.js';
import type { RequestLogEntry } from './request-log.js';
import { volumeRoutes } from './storage/volumes.js';
import { snapshotRoutes } from './storage/snapshots.js';
import { volumeTypeRoutes } from './storage/volume-types.js';
import { imageChangeRoutes } from './image/image-changes.js';
import { availabilityZoneRoutes } from './compute/availability-zones.js';
import { flavorRoutes } from './compute/flavors.js';
import { keypairRoutes } from './compute/keypairs.js';
import { serverRoutes } from './compute/servers.js';
import { actionRoutes } from './compute/actions.js';
import { volumeAttachmentRoutes } from './compute/volume-attachments.js';
import { serverMetadataRoutes } from './compute/server-metadata.js';
import { serverGroupRoutes } from './compute/server-groups.js';

const CONTROL_PREFIX = '/__simulator/';
/** Larger bodies are refused (user_data, the largest field, is at most 64 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

interface CompiledRoute<C> {
  route: Route<C>;
  /** "GET compute /servers/{id}" */
  key: string;
  /** Literal segments, with null where the template has `{id}`. */
  segments: (string | null)[];
}

function compile<C>(service: Service, routes: Route<C>[]): CompiledRoute<C>[] {
  return routes.map((route) => ({
    route,
    key: `${route.method} ${service} ${route.template}`,
    segments: route.template.split('/').slice(1).map((s) => (s === '{id}' ? null : s)),
  }));
}

const TENANT_SERVICES: Record<Exclude<Service, 'identity'>, CompiledRoute<RequestContext>[]> = {
  compute: compile('compute', [...flavorRoutes, ...availabilityZoneRoutes, ...keypairRoutes, ...serverRoutes, ...actionRoutes, ...volumeAttachmentRoutes, ...serverMetadataRoutes, ...serverGroupRoutes]),
  image: compile('image', [...imageRoutes, ...imageChangeRoutes]),
  volume: compile('volume', [...volumeRoutes, ...volumeTypeRoutes, ...snapshotRoutes]),
  network: compile('network', [...networkRoutes, ...securityGroupRoutes, ...portRoutes, ...floatingIpRoutes]),
};
const IDENTITY = compile('identity', identityRoutes);

interface Target {
  service: Service;
  /** The tenant named in the path (compute and volume paths carry one). */
  pathTenant?: string;
  /** The path below the service root. */
  relative: string;
}

/** Service roots on the one origin, as the token's catalog lists them (CONTRIBUTING.md). */
function targetOf(path: string): Target {
  for (const [prefix, service] of [['/compute/v2/', 'compute'], ['/volume/v2/', 'volume']] as const) {
    if (path.startsWith(prefix)) {
      const slash = path.indexOf('/', prefix.length);
      const pathTenant = slash < 0 ? path.slice(prefix.length) : path.slice(prefix.length, slash);
      return { service, pathTenant, relative: slash < 0 ? '/' : path.slice(slash) };
    }
  }
  if (path.startsWith('/image/')) return { service: 'image', relative: path.slice('/image'.length) };
  if (path.startsWith('/network/')) return { service: 'network', relative: path.slice('/network'.length) };
  return { service: 'identity', relative: path };
}

function match<C>(routes: CompiledRoute<C>[], method: string, relative: string): { compiled?: CompiledRoute<C>; params: string[]; pathMatched: boolean } {
  const parts = relative.split('/').slice(1);
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  let pathMatched = false;
  for (const compiled of routes) {
    const { segments } = compiled;
    if (segments.length !== parts.length) continue;
    const params: string[] = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const segment = segments[i];
      if (segment === null) params.push(safeDecode(parts[i]!));
      else ok = segment === parts[i];
    }
    if (!ok) continue;
    if (compiled.route.method === method) return { compiled, params, pathMatched: true };
    pathMatched = true;
  }
  return { params: [], pathMatched };
}

/** A malformed %-escape is kept as sent; the lookup then simply finds nothing. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY_BYTES ? reject(new ReplyError({ status: 413 })) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** What each service says about a body that is not JSON. */
function malformedBody(service: Service): ReplyError {
  if (service === 'identity') return new ReplyError(keystoneFault(400, 'Malformed request body'));
  return new ReplyError(serviceFault(service, 400, service === 'image' ? 'Body is not valid JSON' : 'Malformed request body'));
}

async function jsonBody(req: IncomingMessage, service: Service): Promise<unknown> {
  let text: string;
  try {
    text = await readBody(req);
  } catch (error) {
    if (error instanceof ReplyError) throw new ReplyError(serviceFault(service, 413, 'Request is too large.'));
    throw error;
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw malformedBody(service);
  }
}

function unexpected(service: Service, error: unknown): Reply {
  console.error('simulator: unexpected error', error);
  return service === 'compute' ? novaFault(500, UNEXPECTED_NOVA_ERROR) : serviceFault(service, 500, 'Internal Server Error');
}

const HTML_ERROR = (status: number) =>
  `<html>\r\n<head><title>${status} ${statusText(status)}</title></head>\r\n<body>\r\n<center><h1>${status} ${statusText(status)}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

export class HttpFront {
  /** Sockets left hanging by a 'hang' fault; close() destroys them. */
  readonly hanging = new Set<Socket>();

  constructor(
    private readonly core: SimulatorCore,
    private readonly controls: SimulatorControls,
  ) {}

  readonly listener: RequestListener = (req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      console.error('simulator: failed to answer', error);
      res.destroy();
    });
  };

  /** Leaves a connection open and silent until the client gives up or the simulator closes. */
  private hold(socket: Socket): void {
    this.hanging.add(socket);
    socket.once('close', () => this.hanging.delete(socket));
  }

  /** Writes `reply`; with `onlyBytes`, only that much of its body (the headers announce all of it). */
  private send(res: ServerResponse, reply: Reply, service: Service | undefined, onlyBytes?: number): void {
    const headers: Record<string, string | number> = { ...reply.headers };
    if (service !== undefined) {
      const requestId = `req-${randomUUID()}`;
      headers['x-openstack-request-id'] = requestId;
      if (service === 'compute') headers['x-compute-request-id'] = requestId;
    }
    if (reply.body !== undefined) {
      headers['content-type'] = reply.contentType ?? 'application/json';
      headers['content-length'] = Buffer.byteLength(reply.body);
    } else if (reply.status !== 204) {
      headers['content-length'] = 0;
    }
    res.writeHead(reply.status, headers);
    if (onlyBytes === undefined) res.end(reply.body);
    else res.write(Buffer.from(reply.body ?? '').subarray(0, onlyBytes));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    if (path.startsWith(CONTROL_PREFIX)) {
      const body = method === 'POST' ? await jsonBody(req, 'identity').catch(() => undefined) : undefined;
      this.send(res, handleControlRequest(this.controls, method, path.slice(CONTROL_PREFIX.length), body), undefined);
      return;
    }
    const target = targetOf(path);
    const { service } = target;
    const routes = service === 'identity' ? IDENTITY : TENANT_SERVICES[service];
    const found = match<unknown>(routes as CompiledRoute<unknown>[], method, target.relative);
    const routeKey = found.compiled?.key ?? `${method} ${service} ${target.relative}`;
    const entry = this.core.log.record(method, service, routeKey, url);
    // Lets tests see that a client really aborts the calls it no longer waits for.
    res.once('close', () => {
      if (!res.writableFinished) entry.abandoned = true;
    });

    const latency = this.core.faults.latencyFor(service);
    if (latency > 0) await sleep(latency);
    const fault = this.core.faults.take(routeKey, service);
    if (fault) {
      entry.status = this.injectFault(req, res, fault, service);
      return;
    }

    let reply: Reply;
    try {
      if (!found.compiled) {
        reply = found.pathMatched
          ? serviceFault(service, 405, 'The method specified is not allowed for this resource.')
          : serviceFault(service, 404, 'The resource could not be found.');
      } else {
        const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
        reply = await this.dispatch(req, service, target, found.compiled as CompiledRoute<never>, found.params, query, entry);
      }
    } catch (error) {
      reply = error instanceof ReplyError ? error.reply : unexpected(service, error);
    }
    this.send(res, reply, service);
    entry.status = reply.status;
  }

  private async dispatch(
    req: IncomingMessage,
    service: Service,
    target: Target,
    compiled: CompiledRoute<never>,
    params: string[],
    query: URLSearchParams,
    entry: RequestLogEntry,
  ): Promise<Reply> {
    const world = this.core.world;
    const now = Date.now();
    world.settle(now);
    const body = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' ? await jsonBody(req, service) : undefined;
    if (service !== 'identity' && body !== undefined) entry.body = body;
    if (service === 'identity') {
      const ctx: PublicContext = { world, tokens: this.core.tokens, body, now };
      return (compiled.route.handler as (c: PublicContext) => Reply | Promise<Reply>)(ctx);
    }
    const token = this.core.tokens.check(req.headers['x-auth-token'] as string | undefined, now);
    const tenant = token && world.tenants.get(token.tenantId);
    if (!tenant) throw new ReplyError(keystoneFault(401, KEYSTONE_UNAUTHORIZED_MESSAGE, `${world.origin}/v2.0`));
    if (target.pathTenant !== undefined && target.pathTenant !== tenant.id) {
      // Nova and Cinder compare the URL's project with the token's (wsgi.Resource._process_stack).
      throw new ReplyError(
        novaFault(400, `Malformed request URL: URL's project_id '${target.pathTenant}' doesn't match Context's project_id '${tenant.id}'`),
      );
    }
    const contentType = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    const ctx: RequestContext = { world, tenant, params, query, body, contentType, now, roots: serviceRoots(world.origin, tenant.id) };
    return (compiled.route.handler as (c: RequestContext) => Reply | Promise<Reply>)(ctx);
  }

  /** Answers as the fault says; returns the status recorded in the log (0: no answer). */
  private injectFault(req: IncomingMessage, res: ServerResponse, fault: Fault, service: Service): number {
    const retryAfter: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
    switch (fault.mode) {
      case 'reset':
        req.socket.destroy();
        return 0;
      case 'hang':
        this.hold(req.socket);
        return 0;
      case 'invalid-json':
        this.send(res, { status: 200, body: '{"truncated": [{"id": ', contentType: 'application/json' }, service);
        return 200;
      case 'html':
        this.send(res, { ...textReply(fault.status, HTML_ERROR(fault.status), 'text/html'), headers: retryAfter }, service);
        return fault.status;
      case 'body': {
        const reply = { status: fault.status, body: fault.body ?? '', contentType: fault.contentType, headers: retryAfter };
        if (fault.hangAfterBytes === undefined) this.send(res, reply, service);
        else {
          this.send(res, reply, service, fault.hangAfterBytes);
          this.hold(req.socket);
        }
        return fault.status;
      }
      default: {
        const reply = serviceFault(service, fault.status, 'The server is currently unavailable. Please try again at a later time.');
        this.send(res, { ...reply, headers: { ...reply.headers, ...retryAfter } }, service);
        return fault.status;
      }
    }
  }
}
