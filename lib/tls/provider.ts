/**
 * The one place that loads @peculiar/x509 and binds it to Node's WebCrypto.
 *
 * Loading x509 costs ~100 ms (tooling.md), so nothing that runs on every hook may import
 * lib/tls; charms import it lazily (`await import('../../lib/tls/index.ts')`) in the hooks
 * that touch certificates. This module's only side effects are the two lines below.
 * x509 2.x throws on load unless reflect-metadata is imported first (tooling.md).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** A WebCrypto implementation (Node's by default). The project has no DOM lib, so name Node's type. */
export type CryptoImpl = webcrypto.Crypto;

x509.cryptoProvider.set(webcrypto as never);

/** The WebCrypto implementation every generator defaults to (style.md #13: crypto is the trailing default argument). */
export const defaultCrypto: CryptoImpl = webcrypto;

export { x509 };
