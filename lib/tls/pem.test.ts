import { describe, it, expect } from '@jest/globals';
import { pemBlocks, pemToDer, derToPem, splitCertificatePems, joinPems } from './pem.ts';
import { TlsError } from './errors.ts';

const der = new Uint8Array(Array.from({ length: 100 }, (_, i) => i));

describe('pem', () => {
  it('round-trips DER through canonical 64-column PEM', () => {
    const pem = derToPem(der, 'CERTIFICATE');
    expect(pem.split('\n')[1]).toHaveLength(64);
    expect(pem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(Buffer.from(pemToDer(pem, 'CERTIFICATE')).equals(Buffer.from(der))).toBe(true);
  });

  it('reads CRLF, indentation and text between blocks', () => {
    const a = derToPem(der.slice(0, 10), 'CERTIFICATE').replace(/\n/g, '\r\n');
    const b = derToPem(der.slice(10, 30), 'CERTIFICATE');
    const blocks = pemBlocks(`subject=foo\n${a}junk\n${b}`);
    expect(blocks.map((x) => x.der.length)).toEqual([10, 20]);
    expect(splitCertificatePems(`${a}${b}`)).toEqual([derToPem(der.slice(0, 10), 'CERTIFICATE'), b]);
  });

  it('rejects missing or duplicate blocks with a TlsError naming only the label', () => {
    expect(() => pemToDer('nonsense', 'PRIVATE KEY')).toThrow(new TlsError('invalid-pem', 'No "PRIVATE KEY" PEM block found'));
    const two = derToPem(der, 'CERTIFICATE') + derToPem(der, 'CERTIFICATE');
    expect(() => pemToDer(two, 'CERTIFICATE')).toThrow(/Expected one "CERTIFICATE" PEM block, found 2/);
  });

  it('joins PEMs with one newline between blocks', () => {
    expect(joinPems(['a\n\n', '  b', 'c\n'])).toBe('a\nb\nc\n');
  });
});
