import { describe, it, expect } from '@jest/globals';
import { durationMs, truncateToSecond } from './duration.ts';
import { randomSerialHex } from './serial.ts';

describe('durations and serials', () => {
  it('sums units and rejects bad or sub-second values with the option named', () => {
    expect(durationMs({ days: 1, hours: 1, minutes: 1, seconds: 1 }, 'validity')).toBe(90_061_000);
    expect(() => durationMs({ days: -1 }, 'validity')).toThrow(/Option "validity.days" must be a finite number >= 0, got -1 \(number\)/);
    expect(() => durationMs({}, 'validity')).toThrow(/at least one second/);
  });

  it('truncates to whole seconds', () => {
    expect(truncateToSecond(new Date(1_700_000_000_999)).getTime()).toBe(1_700_000_000_000);
  });

  it('makes distinct positive 16-byte serials that DER will not shorten', () => {
    const s = Array.from({ length: 200 }, randomSerialHex);
    expect(new Set(s).size).toBe(200);
    for (const x of s) {
      expect(x).toMatch(/^[0-9a-f]{32}$/);
      const first = parseInt(x.slice(0, 2), 16);
      expect(first & 0x80).toBe(0);
      expect(first & 0x40).toBe(0x40);
    }
  });
});
