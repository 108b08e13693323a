/**
 * Issue 7 "Done when": the demo (the README's first command) runs headless and its key lines say
 * what a user would see: every unit active, the agent connected to the real nats-server over TLS
 * with its token, a wrong token and a plaintext client refused, secrets listed with labels and
 * descriptions, show-secret without values. The packed .charm files are what it deploys.
 * `--ec` (EC P-384 keys) keeps it fast; the RSA 4096 default path is the same code.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface KeyLine { key: string; fields: Record<string, string> }

/** `DEMO key a=b c="d e"` -> { key, fields }. */
function parseKeyLine(line: string): KeyLine | undefined {
  const m = /^DEMO (\S+)(.*)$/.exec(line);
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const f of m[2]!.matchAll(/ ([\w-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) fields[f[1]!] = f[2]!.startsWith('"') ? JSON.parse(f[2]!) as string : f[2]!;
  return { key: m[1]!, fields };
}

let dir: string;
let code: number | null;
let stdout = '';
let stderr = '';
let lines: KeyLine[] = [];
const all = (key: string) => lines.filter((l) => l.key === key).map((l) => l.fields);
const one = (key: string) => all(key)[0] ?? {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
  const env: Record<string, string | undefined> = { ...process.env, JUJUSIM_HOME: join(dir, 'home'), DEMO_OUT_DIR: join(dir, 'build'),
    // A loopback /24 of its own, so a parallel run elsewhere on 127.0.0.x cannot clash with it.
    DEMO_LOOPBACK: `${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}` };
  delete env['NODE_OPTIONS']; // jest's --experimental-vm-modules is not for the demo
  code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(join(REPO, 'tox-free-scripts/demo'), ['--headless', '--ec'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', resolve);
  });
  lines = stdout.split('\n').map(parseKeyLine).filter((l): l is KeyLine => l !== undefined);
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run demo --headless', () => {
  it('exits 0 with a done line, having deployed the packed .charm files', () => {
    expect({ code, stderr: code === 0 ? '' : stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
    expect(one('start')).toMatchObject({ charms: 'packed', keys: 'ec-p384' });
    expect(one('done')).toMatchObject({ result: 'ok' });
    expect(existsSync(join(dir, 'build', 'nats_ubuntu-22.04-amd64.charm'))).toBe(true);
  });

  it('every unit of both models is active', () => {
    const units = all('unit');
    expect(units.map((u) => `${u['model']} ${u['unit']}`).sort()).toEqual(['anbox ams/0', 'anbox anbox-stream-agent/0', 'nats nats/0']);
    for (const u of units) expect(u['workload']).toBe('active');
    expect(one('all-active')).toEqual({ value: 'true' });
  });

  it('the real nats-server ran from the rendered nats.cfg (TLS files in the machine root)', () => {
    expect(one('nats-cfg')).toMatchObject({ tlsFiles: '3', tlsFilesInMachineRoot: 'true' });
    expect(all('nats-server').map((s) => s['state'])).toEqual(['started', 'stopped']);
  });

  it('the agent connected over TLS with the token from its secret; a wrong token and plaintext were refused', () => {
    expect(one('nats-connect')).toMatchObject({ result: 'ok', tls: 'true', auth: 'token', tokenMatchesSecret: 'true', received: 'hello from the agent' });
    expect(one('nats-wrong-token')).toEqual({ result: 'refused', error: 'AUTHORIZATION_VIOLATION' });
    expect(one('nats-plaintext')).toEqual({ result: 'refused' });
  });

  it('secrets are listed with labels and descriptions; show-secret shows no value', () => {
    const secrets = all('secret');
    expect(secrets.filter((s) => s['model'] === 'nats').map((s) => s['label']).sort()).toEqual(expect.arrayContaining(['ca', 'nats-token']));
    expect(secrets.some((s) => s['model'] === 'anbox')).toBe(true);
    for (const s of secrets) {
      expect(s['label']).toMatch(/^[a-z][a-z0-9.-]+$/);
      expect((s['description'] ?? '').length).toBeGreaterThan(15);
    }
    expect(one('show-secret')).toMatchObject({ label: 'nats-token', values: 'hidden' });
    expect(one('show-secret')['id']).toBe(secrets.find((s) => s['label'] === 'nats-token')?.['id']);
  });

  it('leaves the state in place for jujusim to explore', () => {
    expect(existsSync(join(dir, 'home', 'state.json'))).toBe(true);
  });

  it('prints no credential: the token (read from the state it left) and private keys stay out of the output', () => {
    const config = readFileSync(join(dir, 'home/machines/anbox/anbox-stream-agent-0/var/snap/anbox-stream-agent/common/config.yaml'), 'utf8');
    const token = /^ {4}"token": "([^"]+)",?$/m.exec(config)?.[1]; // config.yaml is JSON after a comment line
    expect(token?.length).toBeGreaterThan(16);
    expect(stdout + stderr).not.toContain(token!);
    expect(stdout + stderr).not.toMatch(/PRIVATE KEY/);
  });
});
