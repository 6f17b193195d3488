import { X509Certificate, verify as verifySignature } from 'node:crypto';
import type { CaMaterial } from './dev-ca.js';
import { decodeDerInteger, encodeDerInteger, firstSequenceElement } from './der.js';
import { RSA_SHA256, importRsaSigningKey } from './key-material.js';
import { CRL_PEM_LABEL, toPem } from './pem.js';
import { PkiError, PkiErrorCode } from './pki-error.js';
import { normalizeSerial } from './serial.js';
import { x509 } from './x509-runtime.js';

/** RFC 5280 5.3.1 reasons worth recording; "unspecified" is expressed by omitting the reason. */
export const REVOCATION_REASONS = [
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface CrlEntry {
  /** Canonical form, see normalizeSerial. */
  readonly serial: string;
  readonly revokedAt: Date;
  readonly reason?: RevocationReason;
}

export interface CrlInfo {
  readonly pem: string;
  readonly issuer: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: bigint;
  readonly entries: readonly CrlEntry[];
  readonly revokedSerials: ReadonlySet<string>;
}

export interface IssueCrlParams {
  readonly issuer: CaMaterial;
  readonly entries: readonly CrlEntry[];
  readonly nextUpdate: Date;
  readonly crlNumber: bigint;
  readonly thisUpdate?: Date;
}

const OID_CRL_NUMBER = '2.5.29.20';

function evenHex(serial: string): string {
  const hex = normalizeSerial(serial);
  return hex.length % 2 ? `0${hex}` : hex;
}

/** Issues a CRL signed by the CA's key, through WebCrypto (forge cannot produce CRLs). */
export async function issueCrl(params: IssueCrlParams): Promise<string> {
  const issuerCert = new x509.X509Certificate(params.issuer.certPem);
  const keyId = params.issuer.cert.generateSubjectKeyIdentifier().toHex();
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuerCert.subjectName,
    thisUpdate: params.thisUpdate ?? new Date(),
    nextUpdate: params.nextUpdate,
    signingAlgorithm: RSA_SHA256,
    signingKey: await importRsaSigningKey(params.issuer.key),
    extensions: [
      new x509.AuthorityKeyIdentifierExtension(keyId),
      new x509.Extension(OID_CRL_NUMBER, false, encodeDerInteger(params.crlNumber)),
    ],
    entries: params.entries.map((entry) => ({
      serialNumber: evenHex(entry.serial),
      revocationDate: entry.revokedAt,
      reason: entry.reason === undefined ? undefined : x509.X509CrlReason[entry.reason],
    })),
  });
  return toPem(crl.rawData, CRL_PEM_LABEL);
}

/** Node's verify() names for the signature algorithms a CRL may plausibly use. */
function nodeHashFor(algorithm: { name: string; hash?: { name: string } }): string | null {
  const hash = algorithm.hash?.name.replace('-', '').toLowerCase();
  if ((algorithm.name === 'RSASSA-PKCS1-v1_5' || algorithm.name === 'ECDSA') && hash) return hash;
  if (algorithm.name === 'Ed25519') return null;
  throw new PkiError(PkiErrorCode.INVALID_CRL, `CRL signature algorithm ${algorithm.name} is not supported`);
}

/**
 * Parses a CRL and verifies it was signed by `issuerPem`. Synchronous on purpose (node:crypto
 * rather than WebCrypto) so that trust stores can be loaded and reloaded synchronously from
 * guards and configuration code.
 * @throws PkiError INVALID_CRL
 */
export function parseCrl(crlPemOrDer: string | Uint8Array, issuerPem: string, source = 'CRL'): CrlInfo {
  let crl: InstanceType<typeof x509.X509Crl>;
  try {
    crl = new x509.X509Crl(crlPemOrDer);
  } catch (error) {
    throw new PkiError(PkiErrorCode.INVALID_CRL, `${source} is not a parseable X.509 CRL: ${(error as Error).message}`);
  }
  const issuer = new X509Certificate(issuerPem);
  const issuerName = new x509.X509Certificate(issuerPem).subject;
  if (crl.issuer !== issuerName) {
    throw new PkiError(PkiErrorCode.INVALID_CRL, `${source} was issued by "${crl.issuer}", expected "${issuerName}"`);
  }
  const tbs = firstSequenceElement(new Uint8Array(crl.rawData));
  const signature = new Uint8Array(crl.signature);
  // The library types this via the DOM `Algorithm`, which is not in this project's lib set.
  const algorithm = crl.signatureAlgorithm as unknown as { name: string; hash?: { name: string } };
  if (!verifySignature(nodeHashFor(algorithm), tbs, issuer.publicKey, signature)) {
    throw new PkiError(PkiErrorCode.INVALID_CRL, `${source} signature does not verify against "${issuerName}"`);
  }
  const numberExtension = crl.getExtension(OID_CRL_NUMBER);
  const entries = crl.entries.map((entry): CrlEntry => {
    const reason = entry.reason === undefined ? undefined : x509.X509CrlReason[entry.reason];
    return {
      serial: normalizeSerial(entry.serialNumber),
      revokedAt: entry.revocationDate,
      ...(reason && (REVOCATION_REASONS as readonly string[]).includes(reason) ? { reason: reason as RevocationReason } : {}),
    };
  });
  return {
    pem: toPem(crl.rawData, CRL_PEM_LABEL),
    issuer: crl.issuer,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
    crlNumber: numberExtension ? decodeDerInteger(new Uint8Array(numberExtension.value)) : undefined,
    entries,
    revokedSerials: new Set(entries.map((entry) => entry.serial)),
  };
}
