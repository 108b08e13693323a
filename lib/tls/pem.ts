/** PEM text handling shared by the views: split bundles, convert DER <-> PEM. */
import { TlsError } from './errors.ts';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n\t ]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order (text between blocks is ignored, as openssl does). */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = (m[2] ?? '').replace(/\s+/g, '');
    out.push({ label: m[1] ?? '', der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  return out;
}

/** The DER of the single block labelled `label`; throws `invalid-pem` naming the label only. */
export function pemToDer(text: string, label: string): Uint8Array {
  if (typeof text !== 'string') throw new TlsError('invalid-pem', `Expected a PEM string with a ${label} block`);
  const blocks = pemBlocks(text).filter((b) => b.label === label);
  if (blocks.length === 0) throw new TlsError('invalid-pem', `No "${label}" PEM block found`);
  if (blocks.length > 1) throw new TlsError('invalid-pem', `Expected one "${label}" PEM block, found ${blocks.length}`);
  return (blocks[0] as PemBlock).der;
}

/** Canonical PEM: 64-column base64, LF line ends, trailing newline. */
export function derToPem(der: Uint8Array | ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Split a bundle of certificates into canonical single-certificate PEMs. */
export function splitCertificatePems(text: string): string[] {
  return pemBlocks(text).filter((b) => b.label === 'CERTIFICATE').map((b) => derToPem(b.der, 'CERTIFICATE'));
}

/** Join PEMs into one bundle with exactly one newline between blocks. */
export function joinPems(pems: readonly string[]): string {
  return pems.map((p) => p.trim() + '\n').join('');
}
