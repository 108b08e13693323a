/**
 * Secret label scheme (design.md "Secrets"), readable in `juju secrets`:
 *   `<purpose>`                          charm-wide secrets (`ca`, `nats-token`)
 *   `<endpoint>.<relation-id>.<purpose>`  per-relation secrets (`client.3.token`)
 * Purposes are lower-case words with hyphens and no dots, so a label parses back unambiguously
 * (endpoint names never contain dots). Used to route `secret-changed` back to its relation.
 */
const PURPOSE = /^[a-z][a-z0-9-]{0,62}$/;
const RELATION_LABEL = /^([a-z][a-z0-9-]*)\.(\d+)\.([a-z][a-z0-9-]*)$/;

export class SecretPurposeError extends Error {
  override readonly name = 'SecretPurposeError';
}

export function assertPurpose(purpose: string): void {
  if (!PURPOSE.test(purpose)) throw new SecretPurposeError(`secret purpose "${purpose}" not valid: use lower-case letters, digits and hyphens, starting with a letter`);
}

export function scopedLabel(purpose: string): string {
  assertPurpose(purpose);
  return purpose;
}

export function relationLabel(endpoint: string, relationId: number, purpose: string): string {
  assertPurpose(purpose);
  return `${endpoint}.${relationId}.${purpose}`;
}

export type ParsedLabel =
  | { readonly kind: 'scoped'; readonly purpose: string }
  | { readonly kind: 'relation'; readonly endpoint: string; readonly relationId: number; readonly purpose: string };

/** Parse one of our labels; undefined for anything else (e.g. a label another library set). */
export function parseLabel(label: string): ParsedLabel | undefined {
  const m = RELATION_LABEL.exec(label);
  if (m) return { kind: 'relation', endpoint: m[1]!, relationId: Number(m[2]), purpose: m[3]! };
  if (PURPOSE.test(label)) return { kind: 'scoped', purpose: label };
  return undefined;
}
