/**
 * Deterministic zip writing with fflate: same entries, same bytes, on any machine and time zone.
 *
 * - Entries are sorted by path (byte order) and carry a fixed mtime and fixed Unix modes in the
 *   external attributes (`(S_IFREG | mode) << 16`, "made by" OS 3 = Unix), so `unzip` and Juju
 *   restore `dispatch` and the runtime as executable.
 * - Compression is fflate's pure-JavaScript deflate: node:zlib is Chromium's zlib fork, whose
 *   output may depend on CPU features, which would break byte-for-byte reproducibility.
 * - An entry may come pre-deflated (the 108 MB runtime is deflated once and cached), which is why
 *   this uses fflate's streaming `Zip` with our own `ZipInputFile`s rather than `zipSync`. The
 *   streaming writer records sizes in data descriptors (general purpose flag bit 3), which every
 *   zip reader, Go's archive/zip in Juju included, handles.
 */
import { crc32 } from 'node:zlib';
import { Zip, deflateSync } from 'fflate';
import type { ZipInputFile } from 'fflate';

export interface RawEntry {
  readonly path: string;
  readonly mode: number;
  readonly data: Uint8Array;
}
export interface DeflatedEntry {
  readonly path: string;
  readonly mode: number;
  /** Size and CRC-32 of the uncompressed content. */
  readonly size: number;
  readonly crc: number;
  readonly deflated: Uint8Array<ArrayBuffer>;
}
export type ZipEntry = RawEntry | DeflatedEntry;

const S_IFREG = 0o100000;
const OS_UNIX = 3;
const DEFLATE = 8;
/** The zip (DOS) clock starts at 1980-01-01T00:00:00Z. */
export const DOS_EPOCH_SECONDS = 315532800;

/** Deflate with fflate at the given level; pure JavaScript, so the same bytes everywhere. */
export function deflateEntry(path: string, mode: number, data: Uint8Array, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 9): DeflatedEntry {
  return { path, mode, size: data.length, crc: crc32(data), deflated: deflateSync(data, { level }) };
}

/**
 * fflate writes the DOS date from the Date's *local* fields; build a Date whose local fields equal
 * the UTC fields of `epochSeconds`, so the archive does not depend on the packing machine's TZ.
 * (In the rare hour a local DST jump skips, the local fields shift; use TZ=UTC to avoid that.)
 */
export function zipMtime(epochSeconds: number): Date {
  const u = new Date(Math.max(epochSeconds, DOS_EPOCH_SECONDS) * 1000);
  return new Date(u.getUTCFullYear(), u.getUTCMonth(), u.getUTCDate(), u.getUTCHours(), u.getUTCMinutes(), u.getUTCSeconds());
}

export function writeZip(entries: readonly ZipEntry[], epochSeconds: number): Uint8Array {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.path === sorted[i - 1]!.path) throw new Error(`duplicate zip entry '${sorted[i]!.path}'`);
  }
  const mtime = zipMtime(epochSeconds);
  const chunks: Uint8Array[] = [];
  let failure: Error | null = null;
  let finished = false;
  const zip = new Zip((err, chunk, final) => {
    if (err) failure = err;
    else chunks.push(chunk);
    if (final) finished = true;
  });
  for (const entry of sorted) {
    const e = 'deflated' in entry ? entry : deflateEntry(entry.path, entry.mode, entry.data);
    const file: ZipInputFile = {
      filename: e.path,
      size: e.size,
      crc: e.crc,
      compression: DEFLATE,
      mtime,
      os: OS_UNIX,
      attrs: ((S_IFREG | (e.mode & 0o7777)) * 0x10000) >>> 0,
    };
    zip.add(file);
    file.ondata!(null, e.deflated, true);
  }
  zip.end();
  if (failure) throw failure;
  if (!finished) throw new Error('fflate Zip did not finish synchronously');
  return Buffer.concat(chunks);
}
