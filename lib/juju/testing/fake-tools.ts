/**
 * Test-only: fake hook-tool executables on PATH (style.md #15, contract §6 item 1).
 *
 * Each tool is a tiny `#!/bin/sh` script (a few ms per call, no Node start-up) that
 *  - records its exact argv and stdin, plus the content and mode of any `key#file=PATH`
 *    argument (the file is gone once the wrapper returns), and
 *  - answers from a table keyed by the exact argv; any other argv fails loudly with exit 99.
 * Every known hook tool is installed (so an unexpected call is exit 99, not "not found")
 * unless `without` removes it, to play a Juju without that tool (2.9 has no secret tools).
 *
 * A wrapper test then reads: given `fake.on(tool, argv, answer)`, when `wrapper(runner, …)`,
 * then `fake.calls()` equals the exact argv and the result is the parsed answer.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const HOOK_TOOLS = [
  'relation-ids', 'relation-list', 'relation-get', 'relation-set', 'relation-model-get',
  'config-get', 'is-leader', 'leader-get', 'leader-set', 'state-get', 'state-set', 'state-delete',
  'status-set', 'status-get', 'juju-log', 'network-get', 'open-port', 'close-port', 'opened-ports',
  'application-version-set', 'action-get', 'action-set', 'action-fail', 'action-log',
  'secret-add', 'secret-get', 'secret-set', 'secret-grant', 'secret-revoke', 'secret-remove', 'secret-ids', 'secret-info-get',
] as const;

/** Match one argv element by prefix (e.g. a temp path): `fileArg('token')` ≙ `token#file=*`. */
export interface PrefixMatcher { readonly prefix: string }
export type ArgMatcher = string | PrefixMatcher;
export const fileArg = (key: string): PrefixMatcher => ({ prefix: `${key}#file=` });

export interface FakeAnswer {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
}

export interface RecordedFile {
  readonly content: string;
  /** Octal mode of the file, e.g. `600`. */
  readonly mode: string;
  /** Octal mode of its directory, e.g. `700`. */
  readonly dirMode: string;
}

export interface RecordedCall {
  readonly tool: string;
  readonly args: string[];
  readonly stdin: string;
  /** argv index → what the `#file=` path held when the tool ran. */
  readonly files: Readonly<Record<number, RecordedFile>>;
}

interface Rule { readonly args: readonly ArgMatcher[]; readonly answer: FakeAnswer }

const US = '\x1f'; // argv separator inside the generated `case` patterns

/** sh single-quoted literal. */
function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function pattern(args: readonly ArgMatcher[]): string {
  if (args.length === 0) return "''";
  return args.map((a) => (typeof a === 'string' ? `${q(a)}${q(US)}` : `${q(a.prefix)}*${q(US)}`)).join('');
}

export class FakeTools {
  readonly dir: string;
  readonly binDir: string;
  readonly #rules = new Map<string, Rule[]>();
  readonly #missing: Set<string>;

  private constructor(without: readonly string[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'fake-tools-'));
    this.binDir = join(this.dir, 'bin');
    this.#missing = new Set(without);
    mkdirSync(this.binDir);
    writeFileSync(join(this.dir, 'calls'), '');
    for (const tool of HOOK_TOOLS) if (!this.#missing.has(tool)) this.#writeScript(tool);
  }

  /** Install every hook tool except `without`. */
  static create(options: { without?: readonly string[] } = {}): FakeTools {
    return new FakeTools(options.without ?? []);
  }

  /** Given `tool` is called with exactly `args`, answer `answer` (default: exit 0, no output). */
  on(tool: string, args: readonly ArgMatcher[], answer: FakeAnswer = {}): this {
    if (this.#missing.has(tool)) throw new Error(`fake-tools: ${tool} was created as missing`);
    const rules = this.#rules.get(tool) ?? [];
    rules.push({ args, answer });
    this.#rules.set(tool, rules);
    this.#writeScript(tool);
    return this;
  }

  /** Environment for a runner: only the fakes and the basic system dirs on PATH. */
  env(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { PATH: `${this.binDir}:/usr/bin:/bin`, JUJU_CONTEXT_ID: 'fake-ctx', ...extra };
  }

  /** Every call so far, in order. */
  calls(): RecordedCall[] {
    const parts = readFileSync(join(this.dir, 'calls'), 'utf8').split('\0');
    const calls: RecordedCall[] = [];
    let i = 0;
    while (i + 2 < parts.length) {
      const pid = parts[i++] ?? '';
      const tool = parts[i++] ?? '';
      const argc = Number(parts[i++]);
      const args = parts.slice(i, i + argc);
      i += argc;
      const stdin = parts[i++] ?? '';
      const files: Record<number, RecordedFile> = {};
      args.forEach((_, index) => {
        const base = join(this.dir, `file.${pid}.${index}`);
        if (existsSync(base)) {
          const [mode = '', dirMode = ''] = readFileSync(`${base}.mode`, 'utf8').trim().split(/\s+/);
          files[index] = { content: readFileSync(base, 'utf8'), mode, dirMode };
        }
      });
      calls.push({ tool, args, stdin, files });
    }
    return calls;
  }

  /** The argv of every call as `tool arg…` arrays: the usual "then" of a wrapper test. */
  argvs(): string[][] {
    return this.calls().map((c) => [c.tool, ...c.args]);
  }

  /** Forget recorded calls (rules stay). */
  reset(): void {
    writeFileSync(join(this.dir, 'calls'), '');
  }

  /** Make `tool` disappear from PATH from now on. */
  remove(tool: string): void {
    this.#missing.add(tool);
    const path = join(this.binDir, tool);
    if (existsSync(path)) unlinkSync(path);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  #writeScript(tool: string): void {
    const cases = (this.#rules.get(tool) ?? []).map(({ args, answer }) => [
      `  ${pattern(args)})`,
      answer.stdout ? `    printf '%s' ${q(answer.stdout)}` : '',
      answer.stderr ? `    printf '%s' ${q(answer.stderr)} >&2` : '',
      `    exit ${answer.exitCode ?? 0} ;;`,
    ].filter(Boolean).join('\n'));
    const script = `#!/bin/sh
d=${q(this.dir)}
n=$$
i=0
for a in "$@"; do
  case "$a" in
    *'#file='*) p=\${a#*#file=}; cat "$p" > "$d/file.$n.$i" 2>/dev/null; stat -c %a "$p" "\${p%/*}" 2>/dev/null | tr '\\n' ' ' > "$d/file.$n.$i.mode" ;;
  esac
  i=$((i+1))
done
{ printf '%s\\0' "$n" ${q(tool)} "$#" "$@"; cat; printf '\\0'; } >> "$d/calls"
if [ $# -gt 0 ]; then key=$(printf '%s\\037' "$@"); else key=''; fi
case "$key" in
${cases.join('\n')}
  *)
    printf 'fake-tools: unexpected argv for %s:' ${q(tool)} >&2; printf ' [%s]' "$@" >&2; printf '\\n' >&2
    exit 99 ;;
esac
`;
    const path = join(this.binDir, tool);
    writeFileSync(path, script);
    chmodSync(path, 0o755);
  }
}
