/**
 * The only I/O a hook tool does (stdin, `--file`, `key#file=`, `-o FILE`) goes through
 * capabilities the transport injects, so the engine stays pure. Paths resolve against the
 * hook's cwd (the charm dir, contract §0.3).
 */
import { posix } from 'node:path';
import { runtimeError } from '../engine/errors.ts';

export interface ToolIO {
  /** Sent on the tool's stdin (`--file -`). */
  readonly stdin?: string;
  /** The hook process's cwd, for relative paths. */
  readonly cwd?: string;
  readFile?(path: string): string;
  writeFile?(path: string, content: string): void;
}

function resolvePath(path: string, io: ToolIO): string {
  return posix.isAbsolute(path) ? path : posix.join(io.cwd ?? '/', path);
}

export function readInput(path: string, io: ToolIO): string {
  if (path === '-') return io.stdin ?? '';
  if (!io.readFile) throw runtimeError(`open ${path}: no such file or directory`);
  try {
    return io.readFile(resolvePath(path, io));
  } catch {
    throw runtimeError(`open ${path}: no such file or directory`);
  }
}

export function writeOutput(path: string, content: string, io: ToolIO): void {
  if (!io.writeFile) throw runtimeError(`open ${path}: read-only file system`);
  try {
    io.writeFile(resolvePath(path, io), content);
  } catch (e) {
    throw runtimeError(`open ${path}: ${(e as Error).message}`);
  }
}
