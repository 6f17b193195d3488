// Detached signatures over EVX statements (docs/package-format.md §2): RSASSA-PSS with SHA-256 over
// `domain prefix || statement bytes`, carried in a canonical JSON signature file with the signer's certificates.
import { constants, createPrivateKey, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import {
  decodeBase64,
  encodeBase64,
  encodeCanonical,
  FormatError,
  parseCanonical,
  sha256Hex,
  type JsonRecord,
} from './canonical.util.js';
import { certificatesFromPem, evxUriOf, parseCertificate } from './certificate.util.js';
import {
  DOC_TYPE,
  MIN_RSA_BITS,
  PSS_SALT_LENGTH,
  SIGNATURE_ALGORITHM,
  SIGNATURE_PREFIX,
  type StatementKind,
} from './package-format.js';
import { arr, expectMembers, expectType, hex32, IDENTITY_URI, str } from './schema.util.js';

/** Whoever signs a statement: the adapter SDK (origin), the vault (custody), the authority workflow (order). */
export interface StatementSigner {
  /** DER certificates: the signer's first, then intermediates, not the trust anchor. */
  readonly certificates: readonly Uint8Array[];
  /** RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) over `input`, the exact signature input. */
  sign(input: Uint8Array): Promise<Uint8Array>;
}

/** evx.v1.Signature plus the certificates, as written to a `.sig.json` file. */
export interface SignatureEnvelope {
  readonly algorithm: typeof SIGNATURE_ALGORITHM;
  readonly signerUri: string;
  /** SHA-256 of certificates[0] (DER), lowercase hex. */
  readonly certificateSha256: string;
  readonly certificates: readonly Uint8Array[];
  readonly value: Uint8Array;
}

const ENVELOPE_MEMBERS = ['algorithm', 'certificateSha256', 'certificates', 'signerUri', 'type', 'value'];
const MAX_CERTIFICATES = 16;
const MAX_CERTIFICATE_BYTES = 16 * 1024;

export function signatureInput(kind: StatementKind, statement: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(SIGNATURE_PREFIX[kind], 'ascii'), statement]);
}

/** A signer from a PEM chain (leaf first) and the PEM private key, e.g. the dev PKI's actor files. */
export function pemStatementSigner(certificateChainPem: string, privateKeyPem: string): StatementSigner {
  const key = createPrivateKey(privateKeyPem);
  checkRsaKey(key, 'the signing key');
  const certificates = certificatesFromPem(certificateChainPem);
  return {
    certificates,
    sign: async (input) =>
      rsaSign('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH }),
  };
}

/** Signs `statement` as `kind` and returns the bytes of its signature file. */
export async function signStatement(
  kind: StatementKind,
  statement: Uint8Array,
  signer: StatementSigner,
): Promise<Uint8Array> {
  const [leaf] = signer.certificates;
  if (leaf === undefined) throw new FormatError('the signer has no certificate');
  const value = await signer.sign(signatureInput(kind, statement));
  // Checked here so that a wrong key or algorithm fails at the signer, not later at a court.
  verifySignatureValue(kind, statement, value, leaf);
  return encodeSignatureEnvelope({
    algorithm: SIGNATURE_ALGORITHM,
    signerUri: evxUriOf(leaf),
    certificateSha256: sha256Hex(leaf),
    certificates: signer.certificates,
    value,
  });
}

export function encodeSignatureEnvelope(envelope: SignatureEnvelope): Uint8Array {
  return encodeCanonical({
    type: DOC_TYPE.signature,
    algorithm: envelope.algorithm,
    signerUri: envelope.signerUri,
    certificateSha256: envelope.certificateSha256,
    certificates: envelope.certificates.map(encodeBase64),
    value: encodeBase64(envelope.value),
  });
}

/** Parses a signature file and checks that it is self-consistent (URI and hash match the first certificate). */
export function parseSignatureEnvelope(bytes: Uint8Array): SignatureEnvelope {
  const doc = parseCanonical(bytes);
  expectMembers(doc, ENVELOPE_MEMBERS);
  expectType(doc, DOC_TYPE.signature);
  if (doc.algorithm !== SIGNATURE_ALGORITHM) {
    throw new FormatError(`"algorithm" is ${JSON.stringify(doc.algorithm)}, want "${SIGNATURE_ALGORITHM}"`);
  }
  const list = arr(doc, 'certificates', MAX_CERTIFICATES);
  if (list.length === 0) throw new FormatError('"certificates" is empty');
  const certificates = list.map((item, i) =>
    checkedCertificate(typeof item === 'string' ? decodeBase64(item) : undefined, i),
  );
  const value = typeof doc.value === 'string' ? decodeBase64(doc.value) : undefined;
  if (value === undefined) throw new FormatError('"value" must be canonical base64');
  return selfConsistent(doc, certificates, value);
}

/**
 * The checks parseSignatureEnvelope makes beyond the JSON text, on an envelope about to be encoded: when it passes,
 * `parseSignatureEnvelope(encodeSignatureEnvelope(envelope))` gives back the same values (the encoder writes
 * canonical JSON and canonical base64), so a cache of parsed envelopes may take what it returns as what those bytes
 * parse to. What it returns holds copies of the byte arrays, in frozen lists: the caller's buffers may change later.
 * @throws FormatError with the parser's messages
 */
export function checkSignatureEnvelope(envelope: SignatureEnvelope): SignatureEnvelope {
  if (envelope.algorithm !== SIGNATURE_ALGORITHM) {
    throw new FormatError(`"algorithm" is ${JSON.stringify(envelope.algorithm)}, want "${SIGNATURE_ALGORITHM}"`);
  }
  if (envelope.certificates.length > MAX_CERTIFICATES) {
    throw new FormatError(`"certificates" has more than ${MAX_CERTIFICATES} elements`);
  }
  if (envelope.certificates.length === 0) throw new FormatError('"certificates" is empty');
  const certificates = Object.freeze(
    envelope.certificates.map((der, i) =>
      checkedCertificate(der instanceof Uint8Array ? Buffer.from(der) : undefined, i),
    ),
  );
  if (!(envelope.value instanceof Uint8Array)) throw new FormatError('"value" must be canonical base64');
  const doc = { signerUri: envelope.signerUri, certificateSha256: envelope.certificateSha256 };
  return selfConsistent(doc, certificates, Buffer.from(envelope.value));
}

function checkedCertificate(der: Uint8Array | undefined, i: number): Uint8Array {
  if (der === undefined || der.length > MAX_CERTIFICATE_BYTES) {
    throw new FormatError(`"certificates"[${i}] must be canonical base64 of at most ${MAX_CERTIFICATE_BYTES} bytes`);
  }
  parseCertificate(der, `"certificates"[${i}]`);
  return der;
}

/** The envelope, once its signer URI and certificate hash are well-formed and name its first certificate. */
function selfConsistent(doc: JsonRecord, certificates: readonly Uint8Array[], value: Uint8Array): SignatureEnvelope {
  const envelope: SignatureEnvelope = {
    algorithm: SIGNATURE_ALGORITHM,
    signerUri: str(doc, 'signerUri', IDENTITY_URI, 300),
    certificateSha256: hex32(doc, 'certificateSha256'),
    certificates,
    value,
  };
  const leaf = certificates[0] as Uint8Array;
  if (envelope.certificateSha256 !== sha256Hex(leaf)) {
    throw new FormatError('"certificateSha256" is not the SHA-256 of the first certificate');
  }
  const uri = evxUriOf(leaf);
  if (envelope.signerUri !== uri)
    throw new FormatError(`"signerUri" ${envelope.signerUri} is not the certificate's ${uri}`);
  return envelope;
}

/** Throws FormatError unless `value` is the leaf key's RSASSA-PSS signature over the statement's signature input. */
export function verifySignatureValue(
  kind: StatementKind,
  statement: Uint8Array,
  value: Uint8Array,
  leafDer: Uint8Array,
): void {
  const key = parseCertificate(leafDer, 'the signer certificate').publicKey;
  checkRsaKey(key, 'the certificate key');
  let ok: boolean;
  try {
    ok = rsaVerify(
      'sha256',
      signatureInput(kind, statement),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH },
      value,
    );
  } catch {
    ok = false; // OpenSSL refuses some malformed values outright instead of answering false
  }
  if (!ok) throw new FormatError('the signature does not verify (the statement or its signature was altered)');
}

function checkRsaKey(key: KeyObject, what: string): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new FormatError(
      `${what} must be RSA of at least ${MIN_RSA_BITS} bits (got ${key.asymmetricKeyType} ${bits})`,
    );
  }
}
