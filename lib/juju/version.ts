/**
 * JujuVersion: parse and compare agent versions (JUJU_VERSION) and answer "can this Juju do X?"
 * with the version gates of the contract. Format as ops/jujuversion.py accepts it:
 * `major.minor.patch[.build]` or `major.minor-<tag><patch>[.build]` (e.g. `3.0-beta2`).
 * A tagged (pre-release) version sorts before the release with the same numbers.
 */
const PATTERN = /^(\d{1,9})\.(\d{1,9})(?:(?:\.|-([a-z]+))(\d{1,9}))?(?:\.(\d{1,9}))?$/;

export interface SecretContentLimits {
  /** Largest value, in bytes of its base64 form (Juju stores values base64-encoded). */
  readonly perValueBytes: number;
  /** Largest total of all values, base64 bytes. */
  readonly totalBytes: number;
}

export class JujuVersion {
  readonly major: number;
  readonly minor: number;
  /** Pre-release tag (`beta`, `rc`), '' for a release. */
  readonly tag: string;
  readonly patch: number;
  readonly build: number;

  private constructor(major: number, minor: number, tag: string, patch: number, build: number) {
    this.major = major;
    this.minor = minor;
    this.tag = tag;
    this.patch = patch;
    this.build = build;
    Object.freeze(this);
  }

  /** Parse `3.6.1`, `2.9.44.1`, `3.0-beta2`; throws on anything else. */
  static parse(text: string): JujuVersion {
    const m = PATTERN.exec(text.trim());
    if (!m) throw new Error(`invalid Juju version "${text}"`);
    return new JujuVersion(Number(m[1]), Number(m[2]), m[3] ?? '', Number(m[4] ?? 0), Number(m[5] ?? 0));
  }

  /** <0, 0, >0 like a sort comparator. Accepts a version or its text. */
  compare(other: JujuVersion | string): number {
    const o = typeof other === 'string' ? JujuVersion.parse(other) : other;
    if (this.major !== o.major) return this.major - o.major;
    if (this.minor !== o.minor) return this.minor - o.minor;
    if (this.tag !== o.tag) {
      if (this.tag === '') return 1; // release > pre-release
      if (o.tag === '') return -1;
      return this.tag < o.tag ? -1 : 1;
    }
    if (this.patch !== o.patch) return this.patch - o.patch;
    return this.build - o.build;
  }

  atLeast(other: JujuVersion | string): boolean {
    return this.compare(other) >= 0;
  }

  toString(): string {
    const core = this.tag ? `${this.major}.${this.minor}-${this.tag}${this.patch}` : `${this.major}.${this.minor}.${this.patch}`;
    return this.build ? `${core}.${this.build}` : core;
  }

  /** Application databags (`relation-get/-set --app`): Juju >= 2.7 (contract §1.6, §2.16). */
  get hasAppDatabags(): boolean {
    return this.atLeast('2.7.0');
  }

  /** Runs `<charm>/dispatch` for every hook: Juju >= 2.8 (contract §1.1). */
  get hasDispatch(): boolean {
    return this.atLeast('2.8.0');
  }

  /** `state-get/-set/-delete`: Juju >= 2.8 (contract §2.16). */
  get hasUnitState(): boolean {
    return this.atLeast('2.8.0');
  }

  /** Charm secrets, as ops counts them: Juju >= 3.0.3 (contract §3.1). */
  get hasSecrets(): boolean {
    return this.atLeast('3.0.3');
  }

  /** Secrets granted across a cross-model relation: Juju >= 3.2 (contract §3.1, §4.3). */
  get hasCrossModelSecrets(): boolean {
    return this.atLeast('3.2.0');
  }

  /**
   * Owners track revisions like consumers and need --peek/--refresh to see newer content
   * (LP #2037120): since 3.1.7 on the 3.1 series and 3.3.1 otherwise (contract §3.5 item 7).
   * The contract names no 3.2.x release with the fix, so 3.2.x counts as without it.
   */
  get ownersTrackRevisions(): boolean {
    if (this.major === 3 && this.minor === 1) return this.atLeast('3.1.7');
    return this.atLeast('3.3.1');
  }

  /** `secret-set` with identical content creates no new revision: Juju >= 3.6 (contract §3.4). */
  get identicalSecretSetNoRevision(): boolean {
    return this.atLeast('3.6.0');
  }

  /** `relation-model-get` exists: Juju >= 3.6.2 (contract §2.5, §4.2). */
  get hasRelationModelGet(): boolean {
    return this.atLeast('3.6.2');
  }

  /**
   * Secret content size limits (contract §3.3). The contract dates the changes, not the
   * releases: 5 KiB per value before Feb 2024, then 8 KiB per value / 64 KiB total, later
   * ~1 MB in "later 3.6.x" (PR #20287/#20314) with no release named. We take 3.4.0 (the first
   * release after Feb 2024) for the 8 KiB step and never assume the 1 MB raise, and measure
   * the base64 form, which is never smaller than the raw one: a conservative check.
   * Null before secrets exist.
   */
  get secretContentLimits(): SecretContentLimits | null {
    if (!this.hasSecrets) return null;
    return { perValueBytes: this.atLeast('3.4.0') ? 8 * 1024 : 5 * 1024, totalBytes: 64 * 1024 };
  }
}

/**
 * Why `content` does not fit the limits, or null when it does (base64 sizes, see
 * `secretContentLimits`). Messages name keys and sizes only, never values.
 */
export function secretContentProblem(content: Readonly<Record<string, string>>, limits: SecretContentLimits): string | null {
  let total = 0;
  for (const [key, value] of Object.entries(content)) {
    const size = Buffer.byteLength(Buffer.from(value, 'utf8').toString('base64'));
    if (size > limits.perValueBytes) return `secret content for key "${key}" too large: ${size} bytes (limit ${limits.perValueBytes})`;
    total += size;
  }
  return total > limits.totalBytes ? `secret content too large: ${total} bytes (limit ${limits.totalBytes})` : null;
}
