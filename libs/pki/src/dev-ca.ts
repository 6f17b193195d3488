import type forge from 'node-forge';
import type { Domain } from './identity-uri.js';
import { forgePrivateKey, nodeForge } from './key-material.js';
import { randomSerialHex } from './serial.js';

/** A CA as the generator needs it: its certificate to name as issuer and its key to sign with. */
export interface CaMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface SubjectSpec {
  readonly commonName: string;
  readonly organization?: string;
  /** Several values are allowed only so that tests can build deliberately ambiguous certificates. */
  readonly organizationalUnits?: readonly string[];
}

export interface LeafSpec extends Validity {
  readonly issuer: CaMaterial;
  readonly publicKeyPem: string;
  readonly subject: SubjectSpec;
  /** URI SANs; EVX expects exactly one evx:// URI, but tests need zero or two. */
  readonly uris: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly serverAuth?: boolean;
  readonly serial?: string;
}

export interface IssuedCertificate {
  readonly certPem: string;
  /** Raw hex as written into the certificate (already canonical, see randomSerialHex). */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const ORGANIZATION = 'EVX Dev PKI';

export function caCommonName(domain: Domain, level: 'root' | 'intermediate'): string {
  const title = domain.charAt(0).toUpperCase() + domain.slice(1);
  return `EVX Dev ${title} ${level === 'root' ? 'Root' : 'Intermediate'} CA`;
}

function subjectAttributes(subject: SubjectSpec): forge.pki.CertificateField[] {
  const attributes: forge.pki.CertificateField[] = [{ shortName: 'CN', value: subject.commonName }];
  if (subject.organization) attributes.push({ shortName: 'O', value: subject.organization });
  for (const unit of subject.organizationalUnits ?? []) attributes.push({ shortName: 'OU', value: unit });
  // UTF8String rather than forge's PrintableString default, which cannot carry every character.
  return attributes.map((attribute) => ({
    ...attribute,
    valueTagClass: nodeForge().asn1.Type.UTF8 as unknown as forge.asn1.Class,
  }));
}

/** Key identifier as forge computes it (SHA-1 of the public key), so SKI and AKI always agree. */
function keyIdentifier(cert: forge.pki.Certificate): string {
  return cert.generateSubjectKeyIdentifier().getBytes();
}

/** X.509 times have whole seconds; truncating up front keeps reported dates equal to the certificate's. */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function baseCertificate(publicKeyPem: string, serial: string, validity: Validity): forge.pki.Certificate {
  const cert = nodeForge().pki.createCertificate();
  cert.publicKey = nodeForge().pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = serial;
  cert.validity.notBefore = wholeSeconds(validity.notBefore);
  cert.validity.notAfter = wholeSeconds(validity.notAfter);
  return cert;
}

function material(cert: forge.pki.Certificate, keyPem: string): CaMaterial {
  return { cert, certPem: nodeForge().pki.certificateToPem(cert), keyPem, key: forgePrivateKey(keyPem) };
}

export function createRootCa(
  domain: Domain,
  keyPair: { privateKeyPem: string; publicKeyPem: string },
  validity: Validity,
): CaMaterial {
  const cert = baseCertificate(keyPair.publicKeyPem, randomSerialHex(), validity);
  const attributes = subjectAttributes({ commonName: caCommonName(domain, 'root'), organization: ORGANIZATION });
  cert.setSubject(attributes);
  cert.setIssuer(attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgePrivateKey(keyPair.privateKeyPem), nodeForge().md.sha256.create());
  return material(cert, keyPair.privateKeyPem);
}

/** pathLen 0: the intermediate may issue end-entity certificates only. */
export function createIntermediateCa(
  domain: Domain,
  root: CaMaterial,
  keyPair: { privateKeyPem: string; publicKeyPem: string },
  validity: Validity,
): CaMaterial {
  const cert = baseCertificate(keyPair.publicKeyPem, randomSerialHex(), validity);
  cert.setSubject(subjectAttributes({ commonName: caCommonName(domain, 'intermediate'), organization: ORGANIZATION }));
  cert.setIssuer(root.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: keyIdentifier(root.cert) },
  ]);
  cert.sign(root.key, nodeForge().md.sha256.create());
  return material(cert, keyPair.privateKeyPem);
}

// GeneralName tags (RFC 5280 4.2.1.6).
const SAN_DNS = 2;
const SAN_URI = 6;
const SAN_IP = 7;

export function issueLeafCertificate(spec: LeafSpec): IssuedCertificate {
  const serial = spec.serial ?? randomSerialHex();
  const cert = baseCertificate(spec.publicKeyPem, serial, spec);
  cert.setSubject(subjectAttributes(spec.subject));
  cert.setIssuer(spec.issuer.cert.subject.attributes);
  const altNames = [
    ...spec.uris.map((value) => ({ type: SAN_URI, value })),
    ...(spec.dnsNames ?? []).map((value) => ({ type: SAN_DNS, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: SAN_IP, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    // keyEncipherment as well: RSA key exchange in TLS 1.2 still needs it on server certificates.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true, serverAuth: spec.serverAuth === true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: keyIdentifier(spec.issuer.cert) },
  ];
  // An empty SAN extension is invalid DER-wise for some parsers, so omit it entirely instead.
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  cert.sign(spec.issuer.key, nodeForge().md.sha256.create());
  return {
    certPem: nodeForge().pki.certificateToPem(cert),
    serial,
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

export function loadCaMaterial(certPem: string, keyPem: string): CaMaterial {
  return material(nodeForge().pki.certificateFromPem(certPem), keyPem);
}
