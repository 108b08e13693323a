/**
 * Random positive certificate serials (RFC 5280 §4.1.2.2: positive, at most 20 octets; CAB
 * forum asks for >= 64 bits of entropy). 16 random bytes, top bit cleared so the DER INTEGER
 * is positive without a leading zero, second-highest bit set so it is never shortened.
 */
import { randomBytes } from 'node:crypto';

export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return b.toString('hex');
}
