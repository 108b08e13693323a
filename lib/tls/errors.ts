/**
 * Errors thrown by lib/tls generators and strict parsers (x509 has no error classes to catch
 * on; style.md "what not to copy"). Messages never contain key material: at most a PEM label
 * or a field name. Verification never throws: it returns a `VerifyResult` (verify.ts).
 */
export type TlsErrorCode =
  | 'invalid-pem'
  | 'invalid-key'
  | 'invalid-certificate'
  | 'invalid-csr'
  | 'invalid-option'
  | 'policy'
  | 'key-mismatch';

export class TlsError extends Error {
  override readonly name: string = 'TlsError';
  readonly code: TlsErrorCode;

  constructor(code: TlsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Style.md #12: an option error quotes the option, its value and its type. */
export function invalidOption(option: string, value: unknown, expected: string): TlsError {
  // Never echo what may be key material (e.g. a PEM passed where a key spec belongs).
  const secretish = typeof value === 'string' && (value.includes('PRIVATE KEY') || value.length > 256);
  const shown = secretish ? '[redacted string]' : typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? '[object]' : String(value);
  return new TlsError('invalid-option', `Option "${option}" must be ${expected}, got ${shown} (${typeof value})`);
}
