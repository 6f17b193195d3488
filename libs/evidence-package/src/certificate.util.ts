// Reading the facts a signature file needs from X.509 certificates. Trust decisions are not made here: they are
// #evx/pki's (identityFromCertificate); this only reads what a certificate says.
// Every parse goes through #evx/pki's certificate cache (by the SHA-256 of the DER, bounded LRU): a gateway verifies
// the same few signers' certificates on every call, and the identity guard has usually parsed them already.
import 'reflect-metadata'; // @peculiar/x509 resolves its registry through tsyringe, which needs it loaded first
import { createHash, type X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { parsedCertificate, pemBlocks, type ParsedCertificate } from '#evx/pki';
import { FormatError } from './canonical.util.js';

const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';

/** DER certificates of a PEM chain file (leaf first), e.g. certs-dev/out/actors/<name>.crt. */
export function certificatesFromPem(pem: string): Uint8Array[] {
  const blocks = pemBlocks(pem, 'CERTIFICATE');
  if (blocks.length === 0) throw new FormatError('no PEM certificate found');
  return blocks.map((block) => new Uint8Array(cached(block, 'a PEM certificate').node.raw));
}

function cached(input: Uint8Array | string, what: string): ParsedCertificate {
  try {
    return parsedCertificate(input);
  } catch (error) {
    throw new FormatError(`${what} is not a DER X.509 certificate (${(error as Error).message})`);
  }
}

/** Node's parse of the certificate; shared with every other caller of the same bytes: read it, never change it. */
export function parseCertificate(der: Uint8Array, what: string): X509Certificate {
  return cached(der, what).node;
}

/** The one evx:// URI in the certificate's subjectAltName. */
export function evxUriOf(der: Uint8Array): string {
  const certificate = cached(der, 'the certificate');
  const uris = certificate.memo('evidence-package:evx-uris', (): readonly string[] => {
    const san = certificate.structure.getExtension(x509.SubjectAlternativeNameExtension);
    return Object.freeze(
      (san?.names.items ?? [])
        .filter((name) => name.type === 'url' && name.value.toLowerCase().startsWith('evx:'))
        .map((name) => name.value),
    );
  });
  if (uris.length !== 1)
    throw new FormatError(`the certificate names ${uris.length} evx:// identities, want exactly 1`);
  return uris[0] as string;
}

/** The subject OUs (an approver's role lives there). */
export function organizationalUnitsOf(der: Uint8Array): string[] {
  const certificate = cached(der, 'the certificate');
  const units = certificate.memo('evidence-package:ous', (): readonly string[] =>
    Object.freeze(certificate.structure.subjectName.getField(OID_ORGANIZATIONAL_UNIT)),
  );
  return [...units];
}

/**
 * SHA-256 (hex) of the certificate's public key (SPKI DER), computed once per certificate: exporting the key costs
 * more than every other per-signature check (signer-identity.ts's keyFingerprint is this value).
 */
export function publicKeySha256Of(der: Uint8Array): string {
  const certificate = cached(der, 'the signer certificate');
  return certificate.memo('evidence-package:spki-sha256', () =>
    createHash('sha256')
      .update(certificate.node.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex'),
  );
}
