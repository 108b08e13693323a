/**
 * CA + leaf creation time: lib/tls (@peculiar/x509 over Node WebCrypto, in process) next to
 * the `openssl` command line doing the same work (3 processes: self-signed CA, key + CSR,
 * sign with extensions). Median of 5 after one warm-up run each; ratio = openssl / ours.
 *
 *   npx node bench/certs/run.ts [runs=5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeySpec } from '../../lib/tls/index.ts';

const runs = Number(process.argv[2] ?? 5);
const t0 = performance.now();
const tls = await import('../../lib/tls/index.ts');
const importMs = performance.now() - t0;

type Case = { name: string; spec: KeySpec; newkey: string[]; digest: string };
const CASES: Case[] = [
  { name: 'RSA 4096', spec: { type: 'rsa', bits: 4096 }, newkey: ['-newkey', 'rsa:4096'], digest: '-sha256' },
  { name: 'RSA 2048', spec: { type: 'rsa', bits: 2048 }, newkey: ['-newkey', 'rsa:2048'], digest: '-sha256' },
  { name: 'EC P-384', spec: { type: 'ec', curve: 'P-384' }, newkey: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], digest: '-sha384' },
];

async function ours(c: Case): Promise<number> {
  const start = performance.now();
  const ca = await tls.CertificateAuthority.create({ key: c.spec, commonName: 'bench CA' });
  await ca.issue({ key: c.spec, usage: 'server', sans: ['10.0.0.1', 'bench.example'] });
  return performance.now() - start;
}

function openssl(c: Case, dir: string): number {
  const p = (f: string): string => join(dir, f);
  writeFileSync(p('leaf.ext'), [
    'basicConstraints=critical,CA:FALSE',
    `keyUsage=critical,${c.spec.type === 'rsa' ? 'digitalSignature,keyEncipherment' : 'digitalSignature'}`,
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:10.0.0.1,DNS:bench.example',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ].join('\n'));
  const run = (args: string[]): void => { execFileSync('openssl', args, { stdio: 'ignore', env: { ...process.env, OPENSSL_CONF: '/dev/null' } }); };
  const start = performance.now();
  run(['req', '-x509', ...c.newkey, c.digest, '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '365', '-subj', '/CN=bench CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash', '-addext', 'authorityKeyIdentifier=keyid']);
  run(['req', '-new', ...c.newkey, c.digest, '-nodes', '-keyout', p('leaf.key'), '-out', p('leaf.csr'), '-subj', '/CN=bench.example']);
  run(['x509', '-req', '-in', p('leaf.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-set_serial', '0x' + tls.toPlainHex(crypto.getRandomValues(new Uint8Array(15))),
    '-days', '90', c.digest, '-extfile', p('leaf.ext'), '-out', p('leaf.crt')]);
  const ms = performance.now() - start;
  execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', p('ca.crt'), p('leaf.crt')], { stdio: 'ignore' }); // same work, checked
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

const dir = mkdtempSync(join(tmpdir(), 'bench-certs-'));
try {
  const rows: string[] = [];
  for (const c of CASES) {
    await ours(c); openssl(c, dir); // warm-up
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) { a.push(await ours(c)); b.push(openssl(c, dir)); }
    const ma = median(a);
    const mb = median(b);
    rows.push(`| ${c.name} | ${fmt(ma)} (${fmt(Math.min(...a))}–${fmt(Math.max(...a))}) | ${fmt(mb)} (${fmt(Math.min(...b))}–${fmt(Math.max(...b))}) | ${(mb / ma).toFixed(1)}× |`);
  }
  console.log(`CA + one server leaf, median of ${runs} (min–max); lib/tls import: ${fmt(importMs)} (once per process)\n`);
  console.log('| key | lib/tls (in process) | openssl CLI (3 processes) | openssl / ours |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
