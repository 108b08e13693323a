/**
 * The `*-key-algorithm` config option shared by the charms: `rsa4096` (the published Anbox
 * default), `rsa2048`, `rsa3072`, `ec-p256`, `ec-p384`. Type-only import of lib/tls, so
 * parsing config never loads x509.
 */
import type { KeySpec } from '../tls/algorithms.ts';

const ALGORITHMS: Readonly<Record<string, KeySpec>> = {
  'rsa2048': { type: 'rsa', bits: 2048 },
  'rsa3072': { type: 'rsa', bits: 3072 },
  'rsa4096': { type: 'rsa', bits: 4096 },
  'ec-p256': { type: 'ec', curve: 'P-256' },
  'ec-p384': { type: 'ec', curve: 'P-384' },
};

export const KEY_ALGORITHM_NAMES: readonly string[] = Object.keys(ALGORITHMS);
export const DEFAULT_KEY_ALGORITHM = 'rsa4096';

export type KeyAlgorithmResult = { readonly ok: true; readonly spec: KeySpec; readonly name: string } | { readonly ok: false; readonly message: string };

/** Parse a config value; '' / unset means the default. The message quotes option and value. */
export function parseKeyAlgorithm(value: unknown, option = 'ca-key-algorithm'): KeyAlgorithmResult {
  const name = value === undefined || value === null || value === '' ? DEFAULT_KEY_ALGORITHM : String(value).trim().toLowerCase();
  const spec = ALGORITHMS[name];
  if (!spec) return { ok: false, message: `config "${option}" is "${String(value)}": expected one of ${KEY_ALGORITHM_NAMES.join(', ')}` };
  return { ok: true, spec, name };
}
