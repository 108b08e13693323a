import { describe, it, expect } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { invalidOption } from './errors.ts';
import { CertificateAuthority } from './ca.ts';

describe('option errors', () => {
  it('quote the option, value and type (style.md #12)', () => {
    expect(invalidOption('usage', 'web', "'server'").message).toBe('Option "usage" must be \'server\', got "web" (string)');
  });

  it('never echo a PEM key passed where a key spec belongs', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const err = await CertificateAuthority.create({ key: pem as never }).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain(pem.split('\n')[1]);
    expect((err as Error).message).toContain('[redacted string]');
  });
});
