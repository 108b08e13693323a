/**
 * Unpacks a `.charm` into a directory the way Juju's agent does, keeping each entry's Unix mode,
 * so the simulator can deploy a packed charm exactly like a charm directory.
 *
 * Refuses entries that would land outside `destDir` (absolute paths, `..`, symlinks pointing out).
 * Entries without a Unix mode get 0755 for `dispatch` / `hooks/*` / `actions/*` (what Juju needs to
 * run them) and 0644 otherwise.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, isAbsolute, normalize, resolve, sep } from 'node:path';
import { listZip, readZipEntry } from './zip-listing.ts';
import type { ZipListingEntry } from './zip-listing.ts';
import { PackagingError } from './errors.ts';

export interface UnpackedEntry {
  readonly path: string;
  readonly mode: number;
  readonly type: ZipListingEntry['type'];
}

function defaultMode(path: string): number {
  return path === 'dispatch' || /^(hooks|actions)\/[^/]+$/.test(path) ? 0o755 : 0o644;
}

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function unpackCharm(file: string, destDir: string): UnpackedEntry[] {
  return unpackCharmBytes(readFileSync(file), destDir, file);
}

export function unpackCharmBytes(bytes: Uint8Array, destDir: string, label = 'charm'): UnpackedEntry[] {
  const root = resolve(destDir);
  const listing = listZip(bytes);
  mkdirSync(root, { recursive: true });
  const out: UnpackedEntry[] = [];
  for (const entry of listing) {
    const rel = normalize(entry.path);
    const target = resolve(root, rel);
    if (isAbsolute(entry.path) || rel.split(sep).includes('..') || !inside(root, target)) {
      throw new PackagingError(`${label}: entry '${entry.path}' would be written outside ${root}`);
    }
    if (entry.type === 'directory') {
      mkdirSync(target, { recursive: true });
      out.push({ path: entry.path, mode: entry.mode ?? 0o755, type: 'directory' });
      continue;
    }
    const data = readZipEntry(bytes, entry);
    mkdirSync(dirname(target), { recursive: true });
    if (entry.type === 'symlink') {
      const linkTarget = new TextDecoder().decode(data);
      if (isAbsolute(linkTarget) || !inside(root, resolve(dirname(target), linkTarget))) {
        throw new PackagingError(`${label}: symlink '${entry.path}' -> '${linkTarget}' points outside the charm`);
      }
      symlinkSync(linkTarget, target);
      out.push({ path: entry.path, mode: 0o777, type: 'symlink' });
      continue;
    }
    const mode = entry.mode ?? defaultMode(entry.path);
    writeFileSync(target, data, { mode });
    chmodSync(target, mode); // writeFileSync's mode is filtered by the umask and ignored for existing files
    out.push({ path: entry.path, mode, type: 'file' });
  }
  return out;
}
