import { describe, expect, it } from 'vitest';
import { createLogger, logLine, parseLogOption, LOG_FORMATS } from '../../../src/serve/logger.js';

function capture(format: 'text' | 'json', level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const log = logLine(createLogger({ format, level, node: 'n1', write: (text) => lines.push(text) }));
  return { lines, log };
}

describe('the process log', () => {
  it('text: one line per record with an ISO time, the level and the node', () => {
    const { lines, log } = capture('text');
    log('role: leader in term 2');
    log('fenced (hung) in term 2', 'warn');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  \[n1\] role: leader in term 2\n$/);
    expect(lines[1]).toMatch(/ WARN  \[n1\] fenced \(hung\) in term 2\n$/);
  });

  it('json: one JSON record per line with time, numeric level, node and msg', () => {
    const { lines, log } = capture('json');
    log('node crashed: boom', 'error');
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 50, node: 'n1', msg: 'node crashed: boom' });
    expect(new Date(record['time'] as string).toISOString()).toBe(record['time']);
  });

  it('records below the level are dropped', () => {
    const { lines, log } = capture('text', 'warn');
    log('chatty');
    log('dial failed', 'debug');
    log('node crashed', 'error');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('node crashed');
  });

  it('a bad --log-format is one line naming the choices', () => {
    expect(parseLogOption('log-format', 'json', LOG_FORMATS)).toBe('json');
    expect(() => parseLogOption('log-format', 'xml', LOG_FORMATS)).toThrow('--log-format must be one of text, json, got "xml"');
  });
});
