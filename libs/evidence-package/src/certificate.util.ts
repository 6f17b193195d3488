// Reading the facts a signature file needs from X.509 certificates. Trust decisions are not made here: they are
// #evx/pki's (identityFromCertificate); this only reads what a certificate says.
import 'reflect-metadata'; // @peculiar/x509 resolves its registry through tsyringe, which needs it loaded first
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { pemBlocks } from '#evx/pki';
import { FormatError } from './canonical.util.js';

const OID_ORGANIZATIONAL_UNIT = '2.5.4.11';

/** DER certificates of a PEM chain file (leaf first), e.g. certs-dev/out/actors/<name>.crt. */
export function certificatesFromPem(pem: string): Uint8Array[] {
  const blocks = pemBlocks(pem, 'CERTIFICATE');
  if (blocks.length === 0) throw new FormatError('no PEM certificate found');
  return blocks.map((block) => new Uint8Array(new X509Certificate(block).raw));
}

export function parseCertificate(der: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(der));
  } catch (error) {
    throw new FormatError(`${what} is not a DER X.509 certificate (${(error as Error).message})`);
  }
}

/** Structural parse for what Node does not expose safely (SAN entries, subject attributes). */
function structure(der: Uint8Array): InstanceType<typeof x509.X509Certificate> {
  try {
    return new x509.X509Certificate(Buffer.from(der));
  } catch (error) {
    throw new FormatError(`the certificate cannot be parsed (${(error as Error).message})`);
  }
}

/** The one evx:// URI in the certificate's subjectAltName. */
export function evxUriOf(der: Uint8Array): string {
  const san = structure(der).getExtension(x509.SubjectAlternativeNameExtension);
  const uris = (san?.names.items ?? [])
    .filter((name) => name.type === 'url' && name.value.toLowerCase().startsWith('evx:'))
    .map((name) => name.value);
  if (uris.length !== 1)
    throw new FormatError(`the certificate names ${uris.length} evx:// identities, want exactly 1`);
  return uris[0] as string;
}

/** The subject OUs (an approver's role lives there). */
export function organizationalUnitsOf(der: Uint8Array): string[] {
  return structure(der).subjectName.getField(OID_ORGANIZATIONAL_UNIT);
}
