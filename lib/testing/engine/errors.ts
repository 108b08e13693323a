/**
 * Errors raised by the rules engine.
 * - ToolError: a hook tool failed; `exitCode` 2 = flag/argument error, 1 = runtime error
 *   (contract §0.2). The tool layer prints `ERROR <message>`.
 * - OperatorError: an operator verb (deploy, integrate, ...) was refused, like `juju` would.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Exit 2: argument validation (the command's Init). */
export function usageError(message: string): ToolError {
  return new ToolError(2, message);
}

/** Exit 1: failure while running. */
export function runtimeError(message: string): ToolError {
  return new ToolError(1, message);
}

export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}
