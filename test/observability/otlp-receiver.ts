// An OTLP/HTTP trace receiver for tests: a node:http server taking POST /v1/traces in both encodings
// (application/x-protobuf and application/json) and keeping every span, decoded to one plain shape.
// The protobuf side reads the wire format by hand with the field numbers of opentelemetry-proto
// (collector/trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client (SpanKind in trace.proto). */
  kind: number;
  attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  resource: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  spans: ReceivedSpan[];
  /** The content types of the export requests received. */
  contentTypes: string[];
  /** Their content encodings ('' for none). */
  encodings: string[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const encodings: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      encodings.push(String(request.headers['content-encoding'] ?? ''));
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const type = String(request.headers['content-type'] ?? '');
      contentTypes.push(type);
      try {
        if (request.url !== '/v1/traces') throw new Error(`unexpected path ${request.url}`);
        spans.push(...(type.startsWith('application/json') ? fromJson(JSON.parse(body.toString('utf8'))) : fromProtobuf(body)));
        response.writeHead(200, { 'content-type': type }).end(type.startsWith('application/json') ? '{}' : undefined);
      } catch (error) {
        response.writeHead(400).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    encodings,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ---- JSON (OTLP/HTTP JSON: ids as hex, enums as numbers) ----------------------------------------------

interface JsonKeyValue {
  key: string;
  value: Record<string, unknown>;
}

function jsonValue(value: Record<string, any>): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(jsonValue);
  return undefined;
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));
}

const hexId = (id: string | undefined): string => (id === undefined ? '' : /^[0-9a-f]*$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex'));

function fromJson(body: any): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of body.resourceSpans ?? []) {
    const resource = jsonAttributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        out.push({
          traceId: hexId(span.traceId),
          spanId: hexId(span.spanId),
          parentSpanId: hexId(span.parentSpanId),
          name: span.name,
          kind: span.kind,
          attributes: jsonAttributes(span.attributes),
          statusCode: span.status?.code ?? 0,
          resource,
        });
      }
    }
  }
  return out;
}

// ---- protobuf wire format ---------------------------------------------------------------------------

type Field = bigint | Buffer;

/** Every field of one message: number -> values in order (varints as bigint, the rest as bytes). */
function fields(buffer: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const number = key >> 3;
    let value: Field;
    switch (key & 7) {
      case 0:
        value = varint();
        break;
      case 1:
        value = buffer.subarray(at, (at += 8));
        break;
      case 2: {
        const length = Number(varint());
        value = buffer.subarray(at, (at += length));
        break;
      }
      case 5:
        value = buffer.subarray(at, (at += 4));
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
    out.set(number, [...(out.get(number) ?? []), value]);
  }
  return out;
}

const bytes = (message: Map<number, Field[]>, n: number): Buffer[] => (message.get(n) ?? []) as Buffer[];
const text = (message: Map<number, Field[]>, n: number): string => bytes(message, n)[0]?.toString('utf8') ?? '';
const number = (message: Map<number, Field[]>, n: number): number => Number((message.get(n)?.[0] as bigint | undefined) ?? 0n);

/** AnyValue: 1 string, 2 bool, 3 int, 4 double, 5 array. */
function anyValue(buffer: Buffer): unknown {
  const value = fields(buffer);
  if (value.has(1)) return text(value, 1);
  if (value.has(2)) return number(value, 2) === 1;
  if (value.has(3)) return number(value, 3);
  if (value.has(4)) return bytes(value, 4)[0]!.readDoubleLE(0);
  if (value.has(5)) return bytes(fields(bytes(value, 5)[0]!), 1).map(anyValue);
  return undefined;
}

/** repeated KeyValue (1 key, 2 value). */
function protoAttributes(list: Buffer[]): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => fields(kv)).map((kv) => [text(kv, 1), anyValue(bytes(kv, 2)[0] ?? Buffer.alloc(0))]));
}

/** ExportTraceServiceRequest 1 resource_spans; ResourceSpans 1 resource, 2 scope_spans; ScopeSpans 2 spans. */
function fromProtobuf(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of bytes(fields(body), 1).map(fields)) {
    const resource = protoAttributes(bytes(fields(bytes(resourceSpans, 1)[0] ?? Buffer.alloc(0)), 1));
    for (const scopeSpans of bytes(resourceSpans, 2).map(fields)) {
      for (const span of bytes(scopeSpans, 2).map(fields)) {
        // Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 9 attributes, 15 status (3 code).
        out.push({
          traceId: bytes(span, 1)[0]?.toString('hex') ?? '',
          spanId: bytes(span, 2)[0]?.toString('hex') ?? '',
          parentSpanId: bytes(span, 4)[0]?.toString('hex') ?? '',
          name: text(span, 5),
          kind: number(span, 6),
          attributes: protoAttributes(bytes(span, 9)),
          statusCode: span.has(15) ? number(fields(bytes(span, 15)[0]!), 3) : 0,
          resource,
        });
      }
    }
  }
  return out;
}
