/**
 * Writes a workload's rendered files into a directory: atomically, with exact modes, and
 * only where content or mode differ. Shared by the three charms' `workload.ts`.
 *
 * Each charm declares every file it manages; a managed file that is not desired any more
 * (e.g. the TLS key once TLS is switched off) is removed, so no stale key stays on disk.
 *
 * (Generic, charm-independent: a candidate for `lib/` once that area has an owner for it.)
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join, isAbsolute } from 'node:path';

/** 0600 for private keys and files holding a token; 0644 for certificates and plain configs. */
export type FileMode = 0o600 | 0o644;

export interface DesiredFile {
  /** Path relative to the workload directory. */
  readonly path: string;
  readonly content: string;
  readonly mode: FileMode;
}

export type FileChangeKind = 'created' | 'updated' | 'mode' | 'removed';

export interface FileChange {
  readonly path: string;
  readonly kind: FileChangeKind;
}

/**
 * The directory a workload lives in. `CHARM_WORKLOAD_ROOT`, when set, is a prefix put in
 * front of the real path (`/tmp/u0` + `/var/snap/nats/common/server`), so a simulator or a
 * test can give each unit its own filesystem without touching charm config.
 */
export function resolveWorkloadDir(realDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env['CHARM_WORKLOAD_ROOT'];
  return prefix ? join(prefix, realDir) : realDir;
}

/** The current content of a managed file, or undefined when it does not exist. */
export function readIfExists(dir: string, path: string): string | undefined {
  try {
    return readFileSync(join(dir, path), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Makes `dir` hold exactly `desired` among `managed` paths. Returns what changed, in the
 * order of `managed`; an empty list means nothing was touched.
 */
export function applyFiles(dir: string, desired: readonly DesiredFile[], managed: readonly string[]): FileChange[] {
  const byPath = new Map(desired.map((f) => [f.path, f]));
  for (const f of desired) {
    if (!managed.includes(f.path)) throw new Error(`workload file ${f.path} is not in the managed list`);
    if (isAbsolute(f.path) || f.path.split('/').includes('..')) throw new Error(`workload file ${f.path} must be relative`);
  }
  removeLeftoverTemps(dir, managed);
  const changes: FileChange[] = [];
  for (const path of managed) {
    const full = join(dir, path);
    const want = byPath.get(path);
    const current = statOrUndefined(full);
    if (!want) {
      if (current) {
        rmSync(full, { force: true });
        changes.push({ path, kind: 'removed' });
      }
      continue;
    }
    if (!current) {
      writeAtomic(full, want.content, want.mode);
      changes.push({ path, kind: 'created' });
    } else if (readFileSync(full, 'utf8') !== want.content) {
      writeAtomic(full, want.content, want.mode);
      changes.push({ path, kind: 'updated' });
    } else if ((current.mode & 0o777) !== want.mode) {
      chmodSync(full, want.mode);
      changes.push({ path, kind: 'mode' });
    }
  }
  return changes;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Temp file in the same directory (so rename is atomic), created with the final mode so a
 * key is never readable by others even for an instant, fsynced, then renamed over the target.
 */
export function writeAtomic(path: string, content: string, mode: FileMode): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const { tmp, fd } = createTemp(path, mode);
  try {
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, mode); // openSync's mode is filtered by the umask
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * A hook killed inside writeAtomic (Juju stopping it, a warm worker killed) leaves its temp file,
 * which may hold a token or key that a later hook rotates away. The next apply removes those of
 * the managed files (createTemp's names only; nothing else in the directory is touched).
 */
function removeLeftoverTemps(dir: string, managed: readonly string[]): void {
  const byDir = new Map<string, Set<string>>();
  for (const path of managed) {
    const full = join(dir, path);
    const names = byDir.get(dirname(full)) ?? new Set<string>();
    names.add(basename(full));
    byDir.set(dirname(full), names);
  }
  for (const [parent, names] of byDir) {
    let entries: string[];
    try { entries = readdirSync(parent); } catch { continue; }
    for (const entry of entries) {
      const m = TEMP_NAME.exec(entry);
      if (m && names.has(m[1]!)) rmSync(join(parent, entry), { force: true });
    }
  }
}

/** `<name>.<pid>-<count>-<random>.tmp`, as createTemp makes them. */
const TEMP_NAME = /^(.+)\.[0-9]+-[0-9a-z]+-[0-9a-z]*\.tmp$/;

let tempCount = 0;

/**
 * A new temp file beside `path`, open for writing. Its name needs to be unique, not secret, so
 * no node:crypto (~8 ms to load, issue 8): 'wx' is O_CREAT|O_EXCL, which never opens a file
 * that exists nor follows a symlink, so a name already taken (a leftover of a crashed hook,
 * anything planted) fails with EEXIST and the next name is tried.
 */
function createTemp(path: string, mode: FileMode): { tmp: string; fd: number } {
  for (let attempt = 1; ; attempt++) {
    const tmp = `${path}.${process.pid}-${(++tempCount).toString(36)}-${Math.random().toString(36).slice(2, 10)}.tmp`;
    try {
      return { tmp, fd: openSync(tmp, 'wx', mode) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 10) throw err;
    }
  }
}

/**
 * A service action that was due but has not succeeded yet. Written before the action runs and
 * removed after it succeeds, so a hook that failed half-way (files written, restart failed)
 * still restarts when Juju retries it, although the files no longer differ.
 */
export class PendingAction<A extends string> {
  readonly #file: string;

  constructor(dir: string, name: string) {
    this.#file = join(dir, `.charm-pending-${name}`);
  }

  read(): A | undefined {
    try {
      return (readFileSync(this.#file, 'utf8').trim() || undefined) as A | undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async run(action: A, perform: () => Promise<void>): Promise<void> {
    writeAtomic(this.#file, `${action}\n`, 0o644);
    await perform();
    rmSync(this.#file, { force: true });
  }
}

/** PEM text as written to disk: exactly one trailing newline, so re-renders compare equal. */
export function pemText(pem: string): string {
  return `${pem.trimEnd()}\n`;
}
