import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { outputLines, parseRequest, reply, startTimeOf } from './protocol.ts';

describe('warm worker protocol', () => {
  it('parses a request line: client pid, nonce, dispatch path', () => {
    expect(parseRequest('1234 1234.98765 hooks/nats-relation-changed')).toEqual({ pid: 1234, nonce: '1234.98765', dispatchPath: 'hooks/nats-relation-changed' });
    expect(parseRequest('7 n actions/backup')).toEqual({ pid: 7, nonce: 'n', dispatchPath: 'actions/backup' });
  });

  it.each([
    ['', 'empty'],
    ['0 n hooks/install', 'pid 0'],
    ['-1 n hooks/install', 'negative pid'],
    ['12 n hooks/../../etc', 'a path that leaves hooks/'],
    ['12 n install', 'no hooks/ prefix'],
    ['12 n hooks/install extra', 'trailing words'],
    ['12 n;rm hooks/install', 'a nonce with shell characters'],
  ])('rejects %j (%s)', (line) => {
    expect(parseRequest(line)).toBeUndefined();
  });

  it('frames replies and output, one line per line of text', () => {
    expect(reply('n1', 's')).toBe('n1 s\n');
    expect(reply('n1', 'x', '3')).toBe('n1 x 3\n');
    expect(outputLines('n1', 'e', 'a\nb\n')).toBe('n1 e a\nn1 e b\n');
    expect(outputLines('n1', 'o', 'no newline')).toBe('n1 o no newline\n');
    expect(outputLines('n1', 'o', '')).toBe('');
    expect(outputLines('n1', 'o', 'nul\0byte\n')).toBe('n1 o nulbyte\n');
  });

  it('reads the start time (field 22) after a command name with spaces and parentheses', () => {
    const stat = '4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 1844 0 0';
    expect(startTimeOf(stat)).toBe('987654');
    const own = readFileSync('/proc/self/stat', 'latin1');
    expect(startTimeOf(own)).toMatch(/^[0-9]+$/);
  });
});
