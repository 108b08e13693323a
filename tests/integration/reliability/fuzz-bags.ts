/**
 * The generated remote databags shared by both fuzz levels: for each interface, every bag one
 * side reads from the other (schemas in lib/relations/schemas), a good value for it, and
 * arbitraries that break 1–3 of its fields (or delete one, or add junk keys).
 */
import fc from 'fast-check';
import { almostJson, brokenPem, junk, wrongCertificate, type Material } from './fuzz-material.ts';

export type FieldKind = 'pem' | 'flag' | 'port' | 'host' | 'node' | 'fingerprint' | 'secretId' | 'token' | 'natsUrl' | 'httpsUrl' | 'certList' | 'csrList';
export interface BagSpec { readonly key: string; readonly fields: Readonly<Record<string, FieldKind>>; readonly good: (m: Material) => Record<string, string> }

const flagBag: BagSpec['fields'] = { secrets_supported: 'flag' };
const restFields: BagSpec['fields'] = { port: 'port', private_address: 'host', public_address: 'host', node: 'node', ca_cert: 'pem', certificate_fingerprint: 'fingerprint' };
const restGood = (m: Material): Record<string, string> => ({ port: '8444', private_address: '10.0.0.2', public_address: '10.128.0.2', node: 'lxd0', ca_cert: m.caPem, certificate_fingerprint: m.fingerprint });
export const SECRET_ID = 'secret:d4b1c9k8j7h6g5f4e3d2';

/** Every bag each side reads from the other, per interface (schemas in lib/relations/schemas). */
export const INTERFACES: Record<'nats' | 'rest' | 'agent-api' | 'tls-certificates', BagSpec[]> = {
  'nats': [
    { key: 'provider.unit', fields: { url: 'natsUrl' }, good: () => ({ url: 'tls://10.129.0.2:4222' }) },
    { key: 'provider.app', fields: { ca_cert: 'pem', token_secret_id: 'secretId', token: 'token' }, good: (m) => ({ ca_cert: m.caPem, token_secret_id: SECRET_ID }) },
    { key: 'requirer.unit', fields: flagBag, good: () => ({ secrets_supported: 'true' }) },
    { key: 'requirer.app', fields: flagBag, good: () => ({ secrets_supported: 'true' }) },
  ],
  'rest': [
    { key: 'provider.unit', fields: restFields, good: restGood },
    { key: 'provider.app', fields: restFields, good: restGood },
    { key: 'requirer.unit', fields: { client_certificate: 'pem' }, good: (m) => ({ client_certificate: m.leafPem }) },
  ],
  'agent-api': [
    { key: 'provider.app', fields: { url: 'httpsUrl', token_secret_id: 'secretId', token: 'token', certificate_fingerprint: 'fingerprint' }, good: (m) => ({ url: 'https://10.2.0.3:8446', token_secret_id: SECRET_ID, certificate_fingerprint: m.fingerprint }) },
    { key: 'requirer.app', fields: flagBag, good: () => ({ secrets_supported: 'false' }) },
    { key: 'requirer.unit', fields: flagBag, good: () => ({ secrets_supported: 'true' }) },
  ],
  'tls-certificates': [
    { key: 'provider.app', fields: { certificates: 'certList' }, good: (m) => ({ certificates: JSON.stringify([{ certificate_signing_request: m.csrPem, certificate: m.leafPem, ca: m.caPem, chain: [m.caPem] }]) }) },
    { key: 'requirer.unit', fields: { certificate_signing_requests: 'csrList' }, good: (m) => ({ certificate_signing_requests: JSON.stringify([{ certificate_signing_request: m.csrPem, ca: false }]) }) },
  ],
};

/** A wrong value for a field of this kind (may by chance still be valid: the oracle allows for that). */
function badValue(kind: FieldKind, good: string | undefined, m: Material): fc.Arbitrary<string> {
  const common = junk();
  switch (kind) {
    case 'pem': return fc.oneof(brokenPem(m), wrongCertificate(m).map((w) => w.pem), common);
    case 'certList': {
      const g = good ?? '[]';
      const entry = (cert: string, ca: string, chain: string[]) => JSON.stringify([{ certificate_signing_request: m.csrPem, certificate: cert, ca, chain }]);
      return fc.oneof(
        almostJson(g),
        wrongCertificate(m).map((w) => entry(w.pem, w.why === 'foreign CA' ? m.caPem : m.caPem, [m.caPem])),
        fc.constant(entry(m.foreignLeafPem, m.foreignCaPem, [m.foreignCaPem])), // a valid chain, but not to the CA we pinned
        brokenPem(m).map((p) => entry(p, m.caPem, [m.caPem])),
        brokenPem(m).map((p) => entry(m.leafPem, p, [p])),
        fc.constant(JSON.stringify(Array.from({ length: 1025 }, () => ({})))), // over maxItems
        common,
      );
    }
    case 'csrList': return fc.oneof(almostJson(good ?? '[]'), brokenPem(m).map((p) => JSON.stringify([{ certificate_signing_request: p.replace(/CERTIFICATE/g, 'CERTIFICATE REQUEST') }])), fc.constant(JSON.stringify([{ certificate_signing_request: m.csrPem, ca: 'yes' }])), common);
    case 'natsUrl': return fc.oneof(fc.constantFrom('nats://', 'tls://host', 'tls://host:99999999', 'http://10.0.0.1:4222', 'tls://a b:4222', 'tls://u@@h:1', `tls://${'t'.repeat(9000)}@h:1`), common);
    case 'httpsUrl': return fc.oneof(fc.constantFrom('http://10.0.0.1:8446', 'https://', 'https://a b', 'https://h:8446/\u0000'), common);
    case 'fingerprint': return fc.oneof(fc.constantFrom(m.fingerprint.slice(1), `${m.fingerprint}0`, m.fingerprint.replace(/^./, 'g'), m.fingerprint.toUpperCase().match(/../g)!.join('-')), common);
    case 'secretId': return fc.oneof(fc.constantFrom('secret://', 'secret:a/b', 'secret: spaced', 'notsecret:abc', `secret:${'x'.repeat(600)}`), common);
    default: return common;
  }
}

export interface Case { readonly spec: BagSpec; readonly bag: Record<string, string>; readonly touched: ReadonlySet<string> }

export function caseArb(specs: readonly BagSpec[], m: Material): fc.Arbitrary<Case> {
  return fc.constantFrom(...specs).chain((spec) => {
    const good = spec.good(m);
    const names = Object.keys(spec.fields);
    const edit = fc.record({
      fields: fc.subarray(names, { minLength: 1, maxLength: Math.min(3, names.length) }),
      deleteInstead: fc.integer({ min: 0, max: 6 }).map((n) => n === 0), // mostly replace; a deleted optional field is valid
      extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 32 }), { maxKeys: 2 }),
    });
    return edit.chain(({ fields, deleteInstead, extra }) =>
      fc.tuple(...fields.map((f) => badValue(spec.fields[f]!, good[f], m))).map((values) => {
        const bag: Record<string, string> = { ...extra, ...good };
        fields.forEach((f, i) => {
          if (deleteInstead && i === 0) delete bag[f];
          else bag[f] = values[i]!;
        });
        return { spec, bag, touched: new Set(fields) };
      }));
  });
}

