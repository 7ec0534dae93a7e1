// The log of a replikit process: pino records with a time, a level and the
// node they are about, written as JSON lines (`--log-format json`, for log
// shippers) or as one readable line each (`text`, the default at a terminal):
//   2026-12-03T17:01:02.345Z INFO  [n1] role: leader in term 2 (...)

import { pino, type Logger } from 'pino';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One line of a node's log, at a level (info unless said). */
export type LogLine = (line: string, level?: LogLevel) => void;

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly level: LogLevel;
  /** The node every record is about, if the process runs one. */
  readonly node?: string;
  /** Where lines go; stdout by default. */
  readonly write?: (text: string) => void;
}

/** pino's numeric levels, for the text form. */
const LEVEL_NAMES: Readonly<Record<number, string>> = { 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR' };

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const destination = { write: options.format === 'json' ? write : (record: string) => write(textLine(record)) };
  return pino(
    {
      level: options.level,
      base: options.node ? { node: options.node } : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (_label, number) => ({ level: number }) },
    },
    destination,
  );
}

/** The logger as a LogLine, for code that logs lines (process-node, the dev command). */
export function logLine(logger: Logger): LogLine {
  return (line, level = 'info') => logger[level](line);
}

function textLine(record: string): string {
  const { time, level, node, msg } = JSON.parse(record) as { time: string; level: number; node?: string; msg?: string };
  const name = (LEVEL_NAMES[level] ?? String(level)).padEnd(5);
  return `${time} ${name} ${node ? `[${node}] ` : ''}${msg ?? ''}\n`;
}

/** A --log-format or --log-level value, or a one-line reason it is not one. */
export function parseLogOption<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
}
