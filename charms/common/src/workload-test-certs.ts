/**
 * Test-only certificates made at test time with the `openssl` CLI (never committed keys).
 * EC P-256 keeps each one at tens of milliseconds (../shared/tooling.md). Used by the
 * workload unit tests and by tests/integration/workloads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestKeyPair {
  readonly cert: string;
  readonly key: string;
}

function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'wl-certs-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `-subj` value; a `/` inside the name (unit names) must be escaped for openssl. */
function subject(commonName: string): string {
  return `/CN=${commonName.replace(/[/\\]/g, (c) => `\\${c}`)}`;
}

/** A self-signed CA (also usable as a self-signed client certificate). */
export function makeCa(commonName: string, days = 30): TestKeyPair {
  return inTempDir((dir) => {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
    openssl(
      ['req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', String(days), '-subj', subject(commonName),
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt'],
      dir,
    );
    return { cert: readFileSync(join(dir, 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8') };
  });
}

/** A leaf signed by `ca`, for server and client auth, with IP/DNS SANs. */
export function issueLeaf(ca: TestKeyPair, commonName: string, sans: readonly string[] = ['IP:127.0.0.1', 'DNS:localhost']): TestKeyPair {
  return inTempDir((dir) => {
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    writeFileSync(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
    writeFileSync(
      join(dir, 'ext.cnf'),
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${sans.join(',')}\n`,
    );
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.key'], dir);
    openssl(['req', '-new', '-key', 'leaf.key', '-subj', subject(commonName), '-out', 'leaf.csr'], dir);
    openssl(
      ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-sha256', '-extfile', 'ext.cnf', '-out', 'leaf.crt'],
      dir,
    );
    return { cert: readFileSync(join(dir, 'leaf.crt'), 'utf8'), key: readFileSync(join(dir, 'leaf.key'), 'utf8') };
  });
}
