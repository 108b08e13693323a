/**
 * Secret content rules of contract §3.3, checked before any tool runs (and before a value
 * touches disk): at least one key, keys matching Juju's regex, per-value and total size
 * limits of the running Juju version (lib/juju/version.ts). Messages name keys and sizes,
 * never values.
 */
import { type JujuVersion, secretContentProblem } from '../juju/version.ts';

/** Contract §3.3: lower-case, starts with a letter, >= 3 chars, single hyphens, no trailing hyphen. */
export const SECRET_KEY = /^[a-z](?:-?[a-z0-9]){2,}$/;

export type SecretContent = Readonly<Record<string, string>>;

export class SecretContentError extends Error {
  override readonly name = 'SecretContentError';
}

export function secretContentErrors(content: SecretContent, version: JujuVersion): string[] {
  const problems: string[] = [];
  const keys = Object.keys(content);
  if (keys.length === 0) problems.push('secret content is empty (Juju: missing secret value or filename)');
  for (const [k, v] of Object.entries(content)) {
    if (!SECRET_KEY.test(k)) problems.push(`key "${k}" not valid: must match ${SECRET_KEY.source}`);
    if (typeof v !== 'string') problems.push(`value of key "${k}" must be a string`);
    else if (v === '') problems.push(`value of key "${k}" is empty`);
  }
  const limits = version.secretContentLimits;
  if (limits && problems.length === 0) {
    const size = secretContentProblem(content, limits);
    if (size) problems.push(size);
  }
  return problems;
}

export function assertSecretContent(content: SecretContent, version: JujuVersion): void {
  const problems = secretContentErrors(content, version);
  if (problems.length) throw new SecretContentError(problems.join('; '));
}

export function sameContent(a: SecretContent | undefined, b: SecretContent | undefined): boolean {
  if (!a || !b) return a === b;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
