/**
 * Every chain lib/tls builds passes the real `openssl verify` (also -x509_strict and
 * -purpose), and `openssl x509 -text` shows the extensions issue 5 asks for.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { CertificateAuthority, CertificateRequest, IssuedCertificate, PrivateKey, certificateFingerprint } from '../../../lib/tls/index.ts';
import { run, TempDir } from './tls-harness.ts';

let dir: TempDir;
beforeAll(async () => { dir = await TempDir.create(); });
afterAll(async () => { await dir.remove(); });

async function verify(purpose: 'sslserver' | 'sslclient', leafPem: string, rootPem: string, untrusted: string[] = []): Promise<{ code: number; out: string }> {
  const n = Math.random().toString(36).slice(2);
  const args = ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', await dir.file(`ca-${n}.pem`, rootPem)];
  if (untrusted.length) args.push('-untrusted', await dir.file(`chain-${n}.pem`, untrusted.join('')));
  args.push(await dir.file(`leaf-${n}.pem`, leafPem));
  const r = await run('openssl', args);
  return { code: r.code, out: r.stdout + r.stderr };
}

async function text(pem: string): Promise<string> {
  const r = await run('openssl', ['x509', '-noout', '-text', '-in', await dir.file(`t-${Math.random().toString(36).slice(2)}.pem`, pem)]);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('defaults: RSA 4096 + SHA-256 (generated once in this file)', () => {
  let ca: CertificateAuthority;
  let leaf: IssuedCertificate;
  beforeAll(async () => {
    ca = await CertificateAuthority.create({ commonName: 'anbox CA' });
    leaf = await ca.issue({ sans: ['10.0.0.5', 'ams.example'] });
  }, 60_000);

  it('openssl verifies the chain strictly for sslserver', async () => {
    expect(await verify('sslserver', leaf.certPem, ca.certPem)).toEqual({ code: 0, out: expect.stringContaining(': OK') });
  });

  it('CA text shows RSA 4096, sha256WithRSA, CA:TRUE critical, keyCertSign+cRLSign critical, SKI, AKI', async () => {
    const t = await text(ca.certPem);
    expect(t).toContain('Public-Key: (4096 bit)');
    expect(t).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(t).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE/);
    expect(t).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign/);
    expect(t).toContain('X509v3 Subject Key Identifier');
    expect(t).toContain('X509v3 Authority Key Identifier');
    expect(t).toMatch(/Subject: CN ?= ?anbox CA/);
  });

  it('leaf text shows RSA KeyUsage with keyEncipherment, serverAuth, SANs, CA:FALSE, 90 days', async () => {
    const t = await text(leaf.certPem);
    expect(t).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment/);
    expect(t).toMatch(/X509v3 Extended Key Usage: ?\n\s+TLS Web Server Authentication\n/);
    expect(t).toMatch(/X509v3 Subject Alternative Name: ?\n\s+DNS:ams.example, IP Address:10.0.0.5/);
    expect(t).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE/);
    expect(leaf.certificate.notAfter.getTime() - Date.now()).toBeGreaterThan(89.9 * 86_400_000);
  });

  it('the PKCS#8 key passes `openssl pkey -check` and matches the certificate', async () => {
    const keyFile = await dir.file('rsa.key', leaf.keyPem);
    expect((await run('openssl', ['pkey', '-in', keyFile, '-check', '-noout'])).code).toBe(0);
    const fromKey = await run('openssl', ['pkey', '-in', keyFile, '-pubout']);
    const fromCert = await run('openssl', ['x509', '-in', await dir.file('rsa.crt', leaf.certPem), '-noout', '-pubkey']);
    expect(fromKey.stdout).toBe(fromCert.stdout);
  });
});

describe('EC chains (root -> intermediate -> leaves)', () => {
  let root: CertificateAuthority;
  let inter: CertificateAuthority;
  beforeAll(async () => {
    root = await CertificateAuthority.create({ key: { type: 'ec', curve: 'P-384' }, commonName: 'root' });
    inter = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'inter', issuer: root, pathLength: 0 });
  });

  it.each([
    ['server', ['sslserver']],
    ['client', ['sslclient']],
    ['both', ['sslserver', 'sslclient']],
  ] as const)('%s leaf verifies for %j, and only for those purposes', async (usage, purposes) => {
    const leaf = await inter.issue({ key: { type: 'ec' }, usage, sans: ['127.0.0.1', 'unit-0.example'] });
    for (const p of ['sslserver', 'sslclient'] as const) {
      const r = await verify(p, leaf.certPem, root.certPem, [inter.certPem]);
      if ((purposes as readonly string[]).includes(p)) expect(r).toEqual({ code: 0, out: expect.stringContaining(': OK') });
      else expect(r.out).toContain('unsuitable certificate purpose');
    }
    const t = await text(leaf.certPem);
    expect(t).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/); // no keyEncipherment for EC
    expect(t).toContain('IP Address:127.0.0.1');
  });

  it('fails without the intermediate, and against a foreign root', async () => {
    const leaf = await inter.issue({ key: { type: 'ec' }, sans: ['a.example'] });
    expect((await verify('sslserver', leaf.certPem, root.certPem)).out).toContain('unable to get local issuer certificate');
    const other = await CertificateAuthority.create({ key: { type: 'ec' }, commonName: 'root' });
    expect((await verify('sslserver', leaf.certPem, other.certPem, [inter.certPem])).code).not.toBe(0);
  });

  it('RSA 2048 / 3072 leaves under an EC P-384 root verify', async () => {
    for (const bits of [2048, 3072] as const) {
      const leaf = await root.issue({ key: { type: 'rsa', bits }, sans: ['10.1.1.1'] });
      expect(await verify('sslserver', leaf.certPem, root.certPem)).toEqual({ code: 0, out: expect.stringContaining(': OK') });
    }
  });

  it('fingerprints equal `openssl x509 -fingerprint -sha256`', async () => {
    const r = await run('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', await dir.file('fp.pem', root.certPem)]);
    expect(r.stdout.trim()).toBe(`sha256 Fingerprint=${certificateFingerprint(root.certPem)}`);
    expect(root.fingerprintSha256).toBe(certificateFingerprint(root.certPem));
  });
});

describe('CSRs and interop with openssl-made material', () => {
  it('our CSR passes `openssl req -verify` and shows the requested extensions', async () => {
    const csr = await CertificateRequest.create({ key: await PrivateKey.create({ type: 'ec' }), sans: ['10.2.2.2', 'x.example'], usage: 'both' });
    const r = await run('openssl', ['req', '-verify', '-noout', '-text', '-in', await dir.file('our.csr', csr.pem)]);
    expect(r.stdout + r.stderr).toMatch(/verify OK/i);
    expect(r.stdout).toContain('DNS:x.example, IP Address:10.2.2.2');
    expect(r.stdout).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
  });

  it('signs an openssl-made CSR; signs leaves with an openssl-made CA (config path); openssl verifies both', async () => {
    const caKey = await dir.file('op-ca.key', '');
    const caCrt = `${dir.path}/op-ca.crt`;
    expect((await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCrt,
      '-days', '30', '-subj', '/C=GB/O=Operator Ltd/CN=Operator CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])).code).toBe(0);
    const { readFile } = await import('node:fs/promises');
    const opCa = CertificateAuthority.fromPem(await readFile(caCrt, 'utf8'), await readFile(caKey, 'utf8'));
    const leaf = await opCa.issue({ key: { type: 'ec' }, sans: ['10.3.3.3'] });
    expect(leaf.certificate.issuerNameMatches(opCa.certificate)).toBe(true);
    expect(await verify('sslserver', leaf.certPem, opCa.certPem)).toEqual({ code: 0, out: expect.stringContaining(': OK') });

    const reqKey = await dir.file('req.key', '');
    const reqCsr = `${dir.path}/req.csr`;
    expect((await run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', reqKey, '-out', reqCsr, '-subj', '/CN=agent-0',
      '-addext', 'subjectAltName=DNS:agent-0.example,IP:10.4.4.4', '-addext', 'extendedKeyUsage=clientAuth'])).code).toBe(0);
    const signed = await IssuedCertificate.create({ ca: opCa, csr: await readFile(reqCsr, 'utf8') });
    expect(signed.certificate.extendedKeyUsage).toEqual(['clientAuth']);
    expect(signed.certificate.subjectAltNames).toEqual({ dns: ['agent-0.example'], ip: ['10.4.4.4'] });
    expect(await verify('sslclient', signed.certPem, opCa.certPem)).toEqual({ code: 0, out: expect.stringContaining(': OK') });
  });
});
