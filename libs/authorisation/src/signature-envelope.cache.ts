// Parsed signature envelopes, memoised by the SHA-256 of their bytes. The gateway parses the same envelope more than
// once per call (verifyAuthorisation before a change, then again to answer with the bundle), and parsing it (strict
// canonical JSON, canonical base64 of the certificates) costs several times the hash. The result depends on the
// bytes alone; a parse that fails is not remembered and fails again on every call. An envelope the gateway encodes
// itself (the caller's signature with its TLS certificate) is remembered as it is encoded, after the parser's own
// checks, so it is not parsed straight back.
import { hash } from 'node:crypto';
import {
  checkSignatureEnvelope,
  encodeSignatureEnvelope,
  parseSignatureEnvelope,
  type SignatureEnvelope,
} from '#evx/evidence-package';
import { LruCache } from '#evx/pki';

const ENVELOPES = new LruCache<string, SignatureEnvelope>(256);

/**
 * parseSignatureEnvelope(bytes), from the memo when the same bytes were parsed lately. The envelope is shared: read
 * it, do not change its arrays.
 * @throws FormatError as parseSignatureEnvelope
 */
export function signatureEnvelopeOf(bytes: Uint8Array): SignatureEnvelope {
  const key = keyOf(bytes);
  let envelope = ENVELOPES.get(key);
  if (envelope === undefined) {
    envelope = Object.freeze(parseSignatureEnvelope(bytes));
    ENVELOPES.set(key, envelope);
  }
  return envelope;
}

/**
 * encodeSignatureEnvelope(envelope), with the envelope remembered as what the bytes parse to. It is checked as
 * parseSignatureEnvelope checks a parsed one (checkSignatureEnvelope), so the memo never holds an envelope whose bytes
 * the parser would refuse.
 * @throws FormatError as parseSignatureEnvelope would for the encoded bytes
 */
export function encodeRememberedEnvelope(envelope: SignatureEnvelope): Uint8Array {
  const checked = Object.freeze(checkSignatureEnvelope(envelope));
  const bytes = encodeSignatureEnvelope(checked);
  ENVELOPES.set(keyOf(bytes), checked);
  return bytes;
}

function keyOf(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'base64');
}
