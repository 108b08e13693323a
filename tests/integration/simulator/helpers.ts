/** Shared helpers for the simulator's process-level tests: run the CLI as a process, read hooks.log. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CHARMS = join(REPO, 'tests/fixtures/charms');

export interface Run { code: number | null; stdout: string; stderr: string }

/** Spawns a process with optional stdin; never rejects on a non-zero exit. */
export function run(cmd: string, args: readonly string[], options: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd ?? REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the tool may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

/** `jujusim ARGS` as a separate process on `home` (the real bin entry, Node 24 type stripping). */
export function jujusim(home: string, ...args: string[]): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, JUJUSIM_HOME: home };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the CLI
  return run(process.execPath, [join(REPO, 'bin/jujusim.js'), ...args], { env });
}

/** `[model, unit, hook]` of every hook run so far, from `<home>/logs/hooks.log`. */
export function hooksRun(home: string): Array<[string, string, string]> {
  const path = join(home, 'logs', 'hooks.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [, model = '', unit = '', , name = ''] = l.split(' ');
    return [model, unit, name];
  });
}
