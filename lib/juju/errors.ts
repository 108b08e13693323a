/**
 * One error class carrying everything about a failed hook-tool call (style.md #2), and
 * domain subclasses chosen once, at the facade, from the exit code and `ERROR` text
 * (style.md #3; contract §0.2: exit 2 = flag/argument error, exit 1 = runtime error).
 *
 * The message never contains stdin or secret content: only the tool name, the argv (which
 * by construction holds no secret values) and Juju's own error line.
 */
export class HookToolError extends Error {
  override readonly name: string = 'HookToolError';
  readonly tool: string;
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Juju's message without the `ERROR ` prefix, e.g. `permission denied`. */
  readonly shortMessage: string;

  constructor(tool: string, args: readonly string[], exitCode: number, stdout: string, stderr: string, options?: { cause?: unknown }) {
    const short = HookToolError.parseMessage(stderr) || `exit status ${exitCode}`;
    super(`${tool} failed (exit ${exitCode}): ${short}`, options);
    this.tool = tool;
    this.args = args;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
    this.shortMessage = short;
  }

  /** The first `ERROR <message>` (or `error: <message>`) line of stderr, else its first line. */
  static parseMessage(stderr: string): string {
    const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const tagged = lines.find((l) => l.startsWith('ERROR ') || l.startsWith('error: '));
    if (tagged) return tagged.replace(/^ERROR /, '').replace(/^error: /, '');
    return lines[0] ?? '';
  }
}

/** Exit 2: Juju rejected the flags or arguments (a bug in the caller, not a runtime state). */
export class InvalidArgsError extends HookToolError {
  override readonly name = 'InvalidArgsError';
}

/** `permission denied` (contract §2.3, §3.5 item 10): e.g. a secret not (yet) granted. */
export class PermissionDeniedError extends HookToolError {
  override readonly name = 'PermissionDeniedError';
}

/** Something named does not exist: a secret, a label, a relation, a key with --strict. */
export class NotFoundError extends HookToolError {
  override readonly name: string = 'NotFoundError';
}

export class SecretNotFoundError extends NotFoundError {
  override readonly name = 'SecretNotFoundError';
}

export class RelationNotFoundError extends NotFoundError {
  override readonly name = 'RelationNotFoundError';
}

/** Leadership was required (`this unit is not the leader`, `cannot write ... not the leader`). */
export class NotLeaderError extends HookToolError {
  override readonly name = 'NotLeaderError';
}

/** The tool is not on PATH (exit 127 / ENOENT): e.g. secret tools on Juju 2.9 (contract §3.1). */
export class ToolMissingError extends HookToolError {
  override readonly name = 'ToolMissingError';
}

/** A JUJU_* variable is missing or malformed. Names the variable. */
export class HookContextError extends Error {
  override readonly name = 'HookContextError';
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.variable = variable;
  }
}

/** A relation databag rule of contract §2.6 was broken before any tool ran. */
export class RelationAccessError extends Error {
  override readonly name = 'RelationAccessError';
}

/**
 * Build the most specific error for a failed call. Patterns are Juju's texts (contract
 * §2, §3); anything else stays a plain HookToolError (exit 1) or InvalidArgsError (exit 2).
 */
export function toolError(tool: string, args: readonly string[], exitCode: number, stdout: string, stderr: string, cause?: unknown): HookToolError {
  const msg = HookToolError.parseMessage(stderr);
  const opts = cause === undefined ? undefined : { cause };
  if (exitCode === 127 || /command not found|ENOENT/.test(msg)) return new ToolMissingError(tool, args, exitCode, stdout, stderr, opts);
  if (exitCode === 2) {
    if (/relation not found/.test(msg)) return new RelationNotFoundError(tool, args, exitCode, stdout, stderr, opts);
    return new InvalidArgsError(tool, args, exitCode, stdout, stderr, opts);
  }
  if (/not the leader|not leader/.test(msg)) return new NotLeaderError(tool, args, exitCode, stdout, stderr, opts);
  // contract §2.4: `relation-set --app` by a non-leader is exit 1 `cannot write relation settings`.
  if (tool === 'relation-set' && /cannot write relation settings/.test(msg)) return new NotLeaderError(tool, args, exitCode, stdout, stderr, opts);
  if (/permission denied|is not allowed to read this secret/.test(msg)) return new PermissionDeniedError(tool, args, exitCode, stdout, stderr, opts);
  if (/^secret .*not found|consumer label .* not found|secret .* not found/.test(msg)) return new SecretNotFoundError(tool, args, exitCode, stdout, stderr, opts);
  if (/relation not found/.test(msg)) return new RelationNotFoundError(tool, args, exitCode, stdout, stderr, opts);
  if (/not found/.test(msg)) return new NotFoundError(tool, args, exitCode, stdout, stderr, opts);
  return new HookToolError(tool, args, exitCode, stdout, stderr, opts);
}
