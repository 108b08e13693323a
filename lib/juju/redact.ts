/**
 * Redaction of secret material from anything we print: juju-log lines, stderr, status
 * messages. One Redactor per hook, shared by the Logger, Tools (which registers every secret
 * value it reads or writes) and dispatch.
 */

const MASK = '<redacted>';
/** Registered values shorter than this are ignored: masking `on` or `1` everywhere hides nothing and garbles logs. */
const MIN_SECRET_LENGTH = 4;

/** Any PEM private key block (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`), or its unterminated start. */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
/** URL userinfo: `tls://user:pass@host`, `nats://token@host`. Quantifiers are bounded so a huge word cannot make matching quadratic. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/@'"]+@/gi;
/**
 * `token=…`, `password: …`, `"api_key":"…"` and the like. `secret` alone is left out on
 * purpose: `secret:<id>` URIs are references, not values, and are useful in logs.
 */
const ASSIGNMENT = /(["']?\b[\w-]{0,40}(?:token|password|passwd|passphrase|api[_-]?key|secret[_-]?key|client[_-]?secret|private[_-]?key|credentials?)["']?\s*[=:]\s*)(["']?)([^\s"',;&}]+)/gi;

export class Redactor {
  readonly #secrets = new Set<string>();

  /** Mask `value` (and each line of a multi-line value) from now on. */
  register(value: string): void {
    for (const piece of [value, ...value.split('\n')]) {
      const trimmed = piece.trim();
      if (trimmed.length >= MIN_SECRET_LENGTH) this.#secrets.add(trimmed);
    }
  }

  redact(text: string): string {
    let out = text;
    if (this.#secrets.size > 0) {
      const longestFirst = [...this.#secrets].sort((a, b) => b.length - a.length);
      for (const secret of longestFirst) out = out.split(secret).join(MASK);
    }
    return out
      .replace(PEM_PRIVATE_KEY, `[${MASK} private key]`)
      .replace(URL_CREDENTIALS, `$1${MASK}@`)
      .replace(ASSIGNMENT, `$1$2${MASK}`);
  }
}
