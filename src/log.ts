// The leveled logger: pino, one JSON object a line (or a short readable line when stdout is a
// terminal). Callers pass plain fields, never request headers, variables or upstream bodies: tokens,
// API passwords and private keys must not reach a log. The redaction below is a second fence for a
// field that should not have been passed, not the first.

import pino, { type DestinationStream } from 'pino';
import type { Config } from './config.js';

export type LogLevel = Exclude<Config['logLevel'], 'silent'>;
export type LogFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** True when messages of this level are written (to skip building costly fields). */
  enabled(level: LogLevel): boolean;
}

/** Field names whose values are replaced whatever they hold. */
const REDACTED_FIELDS = ['token', 'password', 'apiPassword', 'privateKey', 'private_key', 'authorization', 'x-auth-token', 'headers', 'variables'];

export interface LoggerOptions {
  /** `pretty`: a readable line per message (for a terminal); default `json`. */
  format?: Config['logFormat'];
}

/**
 * A logger at `threshold`. Lines go to stdout, or to `write` (one line without its newline) when
 * given (tests).
 */
export function createLogger(threshold: Config['logLevel'], write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'json';
  const destination: DestinationStream =
    write !== undefined
      ? { write: (line: string) => write(format === 'pretty' ? prettyLine(line) : line.trimEnd()) }
      : format === 'pretty'
        ? { write: (line: string) => process.stdout.write(`${prettyLine(line)}\n`) }
        : pino.destination({ dest: 1, sync: true });
  const logger = pino(
    {
      level: threshold,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
    },
    destination,
  );
  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (fields === undefined) logger[level](message);
    else logger[level](fields, message);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    enabled: (level) => logger.isLevelEnabled(level),
  };
}

const LEVEL_TAGS: Record<string, string> = { debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR' };

/** `12:03:04.567 INFO  message key=value ...`: pino's JSON line made readable (a small pino-pretty). */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const { time, level, msg, ...fields } = record;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${clock} ${LEVEL_TAGS[String(level)] ?? String(level)} ${String(msg ?? '')}${rest === '' ? '' : ` ${rest}`}`;
}
