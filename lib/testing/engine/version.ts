/**
 * Juju version personality (contract §1.6, §2.16, §3.1, §3.3, §3.5, §6 item 7).
 * Everything that depends on the agent version is decided here, nowhere else.
 */
export const DEFAULT_AGENT_VERSION = '3.6.8';

export function parseVersion(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v);
  if (!m) throw new Error(`invalid agent version "${v}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function versionAtLeast(v: string, min: string): boolean {
  const a = parseVersion(v);
  const b = parseVersion(min);
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! > b[i]!;
  }
  return true;
}

export interface Personality {
  readonly version: string;
  /** Secret tools, hooks and JUJU_SECRET_* (>= 3.0.3 as ops treats it; contract §3.1). */
  readonly secrets: boolean;
  /** Cross-model secrets (3.2+, contract §3.1). */
  readonly cmrSecrets: boolean;
  /** Owners track revisions like consumers since 3.1.7 (contract §3.5 item 7). */
  readonly ownersTrack: boolean;
  /** Identical secret-set content creates no revision from 3.6 (contract §3.4). */
  readonly skipIdenticalSecretSet: boolean;
  /** relation-model-get exists from 3.6.2 (contract §2.5). */
  readonly relationModelGet: boolean;
  /** `no endpoint name specified` (3.x) vs `no relation name specified` (2.9; contract §2.1). */
  readonly noEndpointMessage: string;
  /** Secret size limits (contract §3.3; boundaries by release are unverified). */
  readonly secretValueLimit: number;
  readonly secretTotalLimit: number;
  /** Later 3.6.x measure the limit on the base64 form with a different message. */
  readonly secretLimitOnBase64: boolean;
  /** Status table header for relations (contract §5.5). */
  readonly relationsHeader: string;
}

const cache = new Map<string, Personality>();

export function personality(version: string): Personality {
  let p = cache.get(version);
  if (!p) {
    p = computePersonality(version);
    cache.set(version, p);
  }
  return p;
}

function computePersonality(version: string): Personality {
  const v3 = versionAtLeast(version, '3.0.0');
  // Contract §3.3: 5 KiB per value before Feb 2024, 8 KiB/64 KiB after, ~1 MB on the base64
  // form in "later 3.6.x". The exact releases are not in the contract; we pick 3.4.0 and 3.6.9.
  const big = versionAtLeast(version, '3.6.9');
  return {
    version,
    secrets: versionAtLeast(version, '3.0.3'),
    cmrSecrets: versionAtLeast(version, '3.2.0'),
    ownersTrack: versionAtLeast(version, '3.1.7'),
    skipIdenticalSecretSet: versionAtLeast(version, '3.6.0'),
    relationModelGet: versionAtLeast(version, '3.6.2'),
    noEndpointMessage: v3 ? 'no endpoint name specified' : 'no relation name specified',
    secretValueLimit: big ? 1024 * 1024 : versionAtLeast(version, '3.4.0') ? 8 * 1024 : 5 * 1024,
    secretTotalLimit: big ? 1024 * 1024 : 64 * 1024,
    secretLimitOnBase64: big,
    relationsHeader: v3 ? 'Integration provider' : 'Relation provider',
  };
}
