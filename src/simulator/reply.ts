// What a handler answers: a status, headers and an already serialized body. Handlers return these
// values instead of writing to the socket, so that server.ts alone decides how an answer is sent
// (added latency, injected faults, request ids, the request log).

export interface Reply {
  status: number;
  /** Serialized body (a Buffer when cached ready to send); absent for 202/204 answers without one. */
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json';

export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE, headers };
}

/** For bodies serialized ahead of time (cached server documents and pages). */
export function rawJsonReply(status: number, body: string | Buffer): Reply {
  return { status, body, contentType: JSON_TYPE };
}

export function emptyReply(status: number, headers?: Record<string, string>): Reply {
  return { status, headers };
}

export function textReply(status: number, body: string, contentType = 'text/plain; charset=UTF-8'): Reply {
  return { status, body, contentType };
}

/** Thrown by handlers and validators; server.ts sends its reply. */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`simulated ${reply.status}`);
  }
}
