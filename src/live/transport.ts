// The streaming transports on a node:http server: graphql-ws over WebSocket on the GraphQL path
// (Yoga itself answers GraphQL over SSE, distinct connections mode, on the same path), the Origin
// check of WebSocket upgrades, and the end of every stream at shutdown in a way that makes clients
// reconnect (to another replica) instead of believing their subscription is over.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs } from 'graphql';
import { GraphQLError } from '../schema/graphql.js';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config.js';
import type { Gateway } from '../gateway.js';

/** WebSocket close code 1012 "Service Restart": graphql-ws clients retry it (it is not fatal). */
export const SHUTDOWN_CLOSE_CODE = 1012;

export interface LiveTransports {
  /** Open WebSocket connections and SSE streams. */
  readonly openStreams: number;
  /**
   * Ends every stream so that its client reconnects: SSE responses are cut without a `complete`
   * event (which would tell the client the subscription is over), WebSockets closed with 1012.
   */
  endStreams(): void;
  close(): Promise<void>;
}

/**
 * Browsers apply no CORS to WebSockets and the CSRF check of gateway.ts never runs on them: without
 * this any web page could open a socket here with its visitor's network position and stream the
 * project's servers. Allowed: no Origin (not a browser), the gateway's own origin, and CORS_ORIGINS.
 */
export function originAllowed(request: Pick<IncomingMessage, 'headers'>, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/** Pass-through credentials of a WebSocket: connectionParams, as X-Auth-Token / X-Tenant-Id would be. */
function headersFrom(params: Record<string, unknown> | undefined, upgrade: IncomingMessage): Headers {
  const headers = new Headers();
  const read = (...names: string[]) => {
    for (const name of names) {
      const value = params?.[name];
      if (typeof value === 'string' && value !== '') return value;
    }
    return undefined;
  };
  const token = read('X-Auth-Token', 'x-auth-token', 'authToken');
  const tenant = read('X-Tenant-Id', 'x-tenant-id', 'tenantId');
  if (token !== undefined) headers.set('x-auth-token', token);
  if (tenant !== undefined) headers.set('x-tenant-id', tenant);
  const forwarded = upgrade.headers['x-forwarded-for'];
  if (typeof forwarded === 'string') headers.set('x-forwarded-for', forwarded);
  return headers;
}

export function attachLiveTransports(server: Server, gateway: Gateway, config: Config): LiveTransports {
  const { yoga } = gateway;
  const path = yoga.graphqlEndpoint;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: config.limits.maxBodyBytes });
  const streams = new Set<ServerResponse>();

  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!request.headers.accept?.includes('text/event-stream')) return;
    streams.add(response);
    response.once('close', () => streams.delete(response));
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://gateway.internal');
    if (url.pathname !== path) return refuseUpgrade(socket, 404, 'Not Found');
    if (!originAllowed(request, config.corsOrigins)) return refuseUpgrade(socket, 403, 'Forbidden: this Origin may not open a WebSocket here');
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  type Rooted = ExecutionArgs & { rootValue: { execute: (a: ExecutionArgs) => unknown; subscribe: (a: ExecutionArgs) => unknown } };
  const disposable = useServer(
    {
      execute: (args) => (args as Rooted).rootValue.execute(args) as never,
      subscribe: (args) => (args as Rooted).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const upgrade = ctx.extra.request;
        const request = new Request(`http://gateway.internal${path}`, {
          method: 'POST',
          headers: headersFrom(ctx.connectionParams as Record<string, unknown> | undefined, upgrade),
        });
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          request,
          req: upgrade,
          socket: ctx.extra.socket,
          params,
        });
        // Parse errors and the operation limits (thrown while parsing or validating) go back to the
        // client as the subscription's errors, as over HTTP, not as an internal error closing the socket.
        try {
          const document = parse(params.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
          return {
            schema,
            operationName: params.operationName,
            document,
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
    },
    sockets,
    config.live.keepAliveMs,
  );

  return {
    get openStreams() {
      return sockets.clients.size + streams.size;
    },
    endStreams() {
      for (const ws of sockets.clients as Set<WebSocket>) ws.close(SHUTDOWN_CLOSE_CODE, 'Server restarting: reconnect');
      // Cut, not ended: an ended chunked response is a clean end of stream to the client.
      for (const response of streams) response.socket?.destroy();
    },
    async close() {
      await disposable.dispose();
      sockets.close();
    },
  };
}
