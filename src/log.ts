// A small leveled logger writing one JSON object a line. Callers pass plain fields, never request
// headers, variables or upstream bodies: tokens, API passwords and private keys must not reach a log.

import type { Config } from './config.js';

export type LogLevel = Exclude<Config['logLevel'], 'silent'>;
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** True when messages of this level are written (to skip building costly fields). */
  enabled(level: LogLevel): boolean;
}

const RANK: Record<Config['logLevel'], number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function createLogger(
  threshold: Config['logLevel'],
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const enabled = (level: LogLevel) => RANK[level] >= RANK[threshold];
  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (!enabled(level)) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), enabled };
}
