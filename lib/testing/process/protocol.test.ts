import { describe, expect, it } from '@jest/globals';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './protocol.ts';

describe('hook-tool wire protocol', () => {
  const req = { contextId: 'ctx-1', cwd: '/charm', tool: 'relation-set', stdinSet: true, stdin: Buffer.from('a: "1"\n'), args: ['--file', '-', 'x=ü'] };

  it('round-trips a request byte for byte, including empty and non-ASCII fields', () => {
    const back = decodeRequest(encodeRequest({ ...req, args: [...req.args, ''] }));
    expect(back).toEqual({ ...req, args: [...req.args, ''] });
  });

  it('asks for more bytes on a partial frame at every cut point', () => {
    const wire = encodeRequest(req);
    for (let i = 0; i < wire.length; i++) expect(decodeRequest(wire.subarray(0, i))).toBeUndefined();
  });

  it('rejects a frame with the wrong magic', () => {
    expect(() => decodeRequest(Buffer.from('XXXX\0\0\0\x05'))).toThrow('bad request');
  });

  it('round-trips a response and waits for its last byte', () => {
    const wire = encodeResponse({ exitCode: 2, stdout: Buffer.from('out'), stderr: Buffer.from('ERROR bad\n') });
    expect(decodeResponse(wire.subarray(0, wire.length - 1))).toBeUndefined();
    const r = decodeResponse(wire)!;
    expect([r.exitCode, r.stdout.toString(), r.stderr.toString()]).toEqual([2, 'out', 'ERROR bad\n']);
  });
});
