/**
 * Deterministic helpers around injected randomness: a seeded PRNG whose state is one
 * integer (so it persists in JSON), uuids and unguessable secret ids.
 */

/** mulberry32 step: returns [value in [0,1), next state]. */
export function prngNext(state: number): [number, number] {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, next];
}

/** A `() => number` source from a seed (tests pass it as EngineOptions.random). */
export function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    const [v, n] = prngNext(s);
    s = n;
    return v;
  };
}

export function cryptoRandom(): number {
  const a = new Uint32Array(1);
  globalThis.crypto.getRandomValues(a);
  return a[0]! / 4294967296;
}

function hexDigits(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

/** Lower-case 8-4-4-4-12 v4 uuid (contract §1.2 JUJU_MODEL_UUID). */
export function uuid(random: () => number): string {
  const h = hexDigits(random, 32).split('');
  h[12] = '4';
  h[16] = '89ab'[Math.floor(random() * 4)]!;
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Secret id: 20 chars of [0-9a-v] (xid/base32hex, contract §3.2), random, never sequential. */
export function secretId(random: () => number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let s = '';
  for (let i = 0; i < 20; i++) s += alphabet[Math.floor(random() * 32)]!;
  return s;
}

/** `remote-<32 hex>` token naming a consuming app on the offering side (contract §4.2). */
export function remoteToken(random: () => number): string {
  return `remote-${hexDigits(random, 32)}`;
}
