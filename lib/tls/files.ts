/**
 * Workload files: keys 0600, certificates 0644, written atomically (temp file in the same
 * directory, fsync, rename, fsync the directory) so a workload reloading at any moment sees
 * either the old or the new file, never half of one. Each returns whether the content
 * changed, so a charm reloads its workload only when needed.
 */
import { mkdir, open, readFile, rename, rm, chmod, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const KEY_FILE_MODE = 0o600;
export const CERT_FILE_MODE = 0o644;

export interface WriteOptions {
  /** Owner for the file (e.g. the workload's user), applied before the rename. Default: unchanged. */
  readonly uid?: number;
  readonly gid?: number;
}

async function currentContent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Write `content` to `path` atomically with `mode`, creating parent directories. Returns true
 * when the content changed. Unchanged content with a wrong mode gets its mode fixed (false).
 */
export async function writeFileAtomic(path: string, content: string, mode: number, opts: WriteOptions = {}): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  if ((await currentContent(path)) === content) {
    const st = await stat(path);
    if ((st.mode & 0o777) !== mode) await chmod(path, mode);
    return false;
  }
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // Created with the final mode from the start: a key never exists world-readable, even briefly.
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content, 'utf8');
    await fh.chmod(mode); // umask may have narrowed the create mode
    if (opts.uid !== undefined || opts.gid !== undefined) await fh.chown(opts.uid ?? -1, opts.gid ?? -1);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
  return true;
}

/** Private key file, mode 0600. */
export function writeKeyFile(path: string, pem: string, opts?: WriteOptions): Promise<boolean> {
  return writeFileAtomic(path, pem, KEY_FILE_MODE, opts);
}

/** Certificate or CA bundle file, mode 0644. */
export function writeCertFile(path: string, pem: string, opts?: WriteOptions): Promise<boolean> {
  return writeFileAtomic(path, pem, CERT_FILE_MODE, opts);
}
