/**
 * Test-only: the production runners, so every wrapper test runs against both
 * (`describe.each(RUNNERS)`), over the same fake executables.
 */
import { ExecaRunner, SpawnRunner } from '../runner.ts';
import type { ToolRunner } from '../types.ts';

export type RunnerFactory = (env: Record<string, string>) => Promise<ToolRunner>;

export const RUNNERS: ReadonlyArray<[string, RunnerFactory]> = [
  ['SpawnRunner', async (env) => new SpawnRunner({ env })],
  ['ExecaRunner', (env) => ExecaRunner.create({ env })],
];

/** A ToolRunner answering from a function, recording argv and stdin: for dispatch/Tools logic tests that need no processes. */
export class MemoryRunner implements ToolRunner {
  readonly calls: Array<{ tool: string; args: string[]; input?: string }> = [];
  readonly #answer: (tool: string, args: readonly string[], input?: string) => { stdout?: string; stderr?: string; exitCode?: number } | undefined;

  constructor(answer: (tool: string, args: readonly string[], input?: string) => { stdout?: string; stderr?: string; exitCode?: number } | undefined = () => undefined) {
    this.#answer = answer;
  }

  run(tool: string, args: readonly string[], options: { input?: string } = {}): { stdout: string; stderr: string; exitCode: number } {
    this.calls.push({ tool, args: [...args], ...(options.input === undefined ? {} : { input: options.input }) });
    const a = this.#answer(tool, args, options.input) ?? {};
    return { stdout: a.stdout ?? '', stderr: a.stderr ?? '', exitCode: a.exitCode ?? 0 };
  }

  argvs(): string[][] {
    return this.calls.map((c) => [c.tool, ...c.args]);
  }
}
