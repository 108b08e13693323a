/**
 * The simulator's state directory (`JUJUSIM_HOME`, default `./.jujusim`):
 *   state.json   the engine JSON plus CLI settings, replaced atomically (write temp + rename)
 *   lock         held while one process loads, mutates and saves, so CLI calls never interleave
 *   logs/        hooks.log (one line per hook run)
 *   tools/<m>/   hook-tool symlinks for model <m>
 *   charms/      unpacked .charm files
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StoredState {
  readonly format: 1;
  readonly currentModel?: string;
  readonly engine: unknown;
}

export function defaultHome(): string {
  return resolve(process.env.JUJUSIM_HOME || './.jujusim');
}

export function statePath(home: string): string { return join(home, 'state.json'); }
export function toolsRoot(home: string): string { return join(home, 'tools'); }
export function logsDir(home: string): string { return join(home, 'logs'); }

export function readState(home: string): StoredState | undefined {
  const path = statePath(home);
  if (!existsSync(path)) return undefined;
  const doc = JSON.parse(readFileSync(path, 'utf8')) as StoredState;
  if (doc.format !== 1) throw new Error(`${path}: unsupported state format ${String(doc.format)}`);
  return doc;
}

export function writeState(home: string, state: StoredState): void {
  mkdirSync(home, { recursive: true });
  const path = statePath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(state));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function appendLog(home: string, file: string, line: string): void {
  const dir = logsDir(home);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, file), line.endsWith('\n') ? line : `${line}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Exclusive lock on the home directory: `lock` created with O_EXCL holding the owner's pid.
 * A lock whose owner is dead is taken over. Re-entrant within one process via the counter.
 */
export class HomeLock {
  readonly path: string;
  #depth = 0;

  constructor(home: string) {
    this.path = join(home, 'lock');
  }

  async acquire(timeoutMs = 600_000): Promise<void> {
    if (this.#depth > 0) { this.#depth++; return; }
    mkdirSync(resolve(this.path, '..'), { recursive: true });
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      try {
        const fd = openSync(this.path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.#depth = 1;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let owner = NaN;
      try { owner = Number(readFileSync(this.path, 'utf8')); } catch { /* released meanwhile */ }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        rmSync(this.path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${this.path} is held by process ${owner}`);
      await new Promise((ok) => setTimeout(ok, delay));
    }
  }

  release(): void {
    if (this.#depth === 0) return;
    if (--this.#depth === 0) rmSync(this.path, { force: true });
  }
}
