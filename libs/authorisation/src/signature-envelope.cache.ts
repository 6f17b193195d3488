// Parsed signature envelopes, memoised by the SHA-256 of their bytes. The gateway parses the same envelope more than
// once per call (verifyAuthorisation before a change, then again to answer with the bundle), and parsing it (strict
// canonical JSON, canonical base64 of the certificates) costs several times the hash. The result depends on the
// bytes alone; a parse that fails is not remembered and fails again on every call.
import { createHash } from 'node:crypto';
import { parseSignatureEnvelope, type SignatureEnvelope } from '#evx/evidence-package';
import { LruCache } from '#evx/pki';

const ENVELOPES = new LruCache<string, SignatureEnvelope>(256);

/**
 * parseSignatureEnvelope(bytes), from the memo when the same bytes were parsed lately. The envelope is shared: read
 * it, do not change its arrays.
 * @throws FormatError as parseSignatureEnvelope
 */
export function signatureEnvelopeOf(bytes: Uint8Array): SignatureEnvelope {
  const key = createHash('sha256').update(bytes).digest('base64');
  let envelope = ENVELOPES.get(key);
  if (envelope === undefined) {
    envelope = Object.freeze(parseSignatureEnvelope(bytes));
    ENVELOPES.set(key, envelope);
  }
  return envelope;
}
