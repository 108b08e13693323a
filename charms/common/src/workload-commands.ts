/**
 * How a workload applier runs the host's service commands (`snap restart`, `systemctl kill`,
 * `amc ...`). Injected, so unit tests use a recording fake and integration tests drive a real
 * process; production uses `execFileCommand` (plain child_process: no shell, no execa import
 * cost on every hook, ../shared/tooling.md).
 *
 * Argv never carries a secret: callers pass only service names, paths and fingerprints.
 */
import { execFile } from 'node:child_process';

export type CommandRunner = (argv: readonly string[]) => Promise<void>;

export class WorkloadCommandError extends Error {
  override readonly name = 'WorkloadCommandError';
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(argv: readonly string[], exitCode: number | null, stderr: string, options?: { cause?: unknown }) {
    const firstLine = stderr.split('\n').find((l) => l.trim()) ?? '';
    super(`${argv.join(' ')} failed (exit ${exitCode ?? 'signal'})${firstLine ? `: ${firstLine.trim()}` : ''}`, options);
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export const execFileCommand: CommandRunner = (argv) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    if (!file) {
      reject(new Error('empty command'));
      return;
    }
    execFile(file, args, { timeout: 120_000 }, (err, _stdout, stderr) => {
      if (!err) {
        resolve();
        return;
      }
      const code = typeof err.code === 'number' ? err.code : null;
      reject(new WorkloadCommandError(argv, code, String(stderr), { cause: err }));
    });
  });

/** A fake runner that records argv lists; for unit tests of the appliers. */
export function recordingRunner(): CommandRunner & { readonly calls: string[][] } {
  const calls: string[][] = [];
  const run = async (argv: readonly string[]) => {
    calls.push([...argv]);
  };
  return Object.assign(run, { calls });
}
