// Error bodies as each real service writes them (api-facts.md section 5). Each service keeps its
// own format, because a client has to parse all of them: Nova and Cinder wrap a fault in
// {"<name>": {code, message}}, Keystone (and keystonemiddleware in front of every service) uses
// {"error": {code, title, message}}, Glance answers plain webob text, Neutron {"NeutronError": ...}.

import { ReplyError, jsonReply, textReply, type Reply } from './reply.js';

export type Service = 'identity' | 'compute' | 'image' | 'volume' | 'network';

const NOVA_FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

/** Nova's (and Cinder's) fault envelope; any status without a name is a computeFault. */
export function novaFault(status: number, message: string): Reply {
  const name = NOVA_FAULT_NAMES[status] ?? 'computeFault';
  return jsonReply(status, { [name]: { code: status, message } });
}

/** A Nova/Cinder fault to throw from a handler. */
export function novaError(status: number, message: string): ReplyError {
  return new ReplyError(novaFault(status, message));
}

export const KEYSTONE_UNAUTHORIZED_MESSAGE = 'The request you have made requires authentication.';

/** Keystone's body; 401s also carry WWW-Authenticate, as keystonemiddleware sends it. */
export function keystoneFault(status: number, message: string, identityUri?: string): Reply {
  const reply = jsonReply(status, { error: { code: status, title: statusText(status), message } });
  if (status === 401 && identityUri !== undefined) {
    reply.headers = { 'www-authenticate': `Keystone uri="${identityUri}"` };
  }
  return reply;
}

/** Glance: a webob HTTP exception rendered as text (the exact layout depends on webob). */
export function glanceFault(status: number, message: string): Reply {
  return textReply(status, `${status} ${statusText(status)}\n\n${message}\n\n   `);
}

export function glanceError(status: number, message: string): ReplyError {
  return new ReplyError(glanceFault(status, message));
}

export function neutronFault(status: number, type: string, message: string): Reply {
  return jsonReply(status, { NeutronError: { type, message, detail: '' } });
}

/** An error in the format of the service that answers it (used by injected faults). */
export function serviceFault(service: Service, status: number, message: string): Reply {
  switch (service) {
    case 'identity':
      return keystoneFault(status, message);
    case 'image':
      return glanceFault(status, message);
    case 'network':
      return neutronFault(status, status === 503 ? 'ServiceUnavailable' : 'HTTPError', message);
    default:
      return novaFault(status, message);
  }
}

/** The text Nova puts in a 500 for an exception the API method did not expect. */
export const UNEXPECTED_NOVA_ERROR =
  'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n' +
  "<class 'Exception'>";
