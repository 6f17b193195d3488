// An envelope the gateway encodes is remembered as parsed only when the parser would give back the same values; the
// parser's checks and checkSignatureEnvelope's agree, defect by defect.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  checkSignatureEnvelope,
  encodeSignatureEnvelope,
  FormatError,
  parseSignatureEnvelope,
  SIGNATURE_ALGORITHM,
  type SignatureEnvelope,
} from '#evx/evidence-package';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { envelopeOf, sha256Hex } from './authorisation.bundle.js';
import { signatureEnvelopeOf } from './signature-envelope.cache.js';

const URI = 'evx://authority/police-hn/investigator/inv-1';

let leaf: Buffer;
let intermediate: Buffer;
let value: Buffer;

/** The values of an envelope, comparable whatever byte-array class holds them. */
const valuesOf = (e: SignatureEnvelope) => ({
  ...e,
  certificates: e.certificates.map((c) => Buffer.from(c).toString('hex')),
  value: Buffer.from(e.value).toString('hex'),
});

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof FormatError) return error.message;
    throw error;
  }
  return 'accepted';
}

beforeAll(async () => {
  const pki = await sharedTestPki();
  leaf = new X509Certificate(readFileSync(join(pki, 'actors', 'police-hn.inv-1.crt'))).raw;
  const chain = readFileSync(join(pki, 'actors', 'police-hn.inv-1.crt'), 'utf8');
  const pems = chain.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  intermediate = new X509Certificate(pems[1] ?? pems[0] ?? '').raw;
  value = Buffer.alloc(256, 7);
}, 120_000);

const envelope = (over: Partial<SignatureEnvelope> = {}): SignatureEnvelope => ({
  algorithm: SIGNATURE_ALGORITHM,
  signerUri: URI,
  certificateSha256: sha256Hex(leaf),
  certificates: [leaf],
  value,
  ...over,
});

describe('envelopeOf and signatureEnvelopeOf', () => {
  it('give back what the parser reads from the encoded bytes, without parsing them again', () => {
    const bytes = envelopeOf(value, leaf, URI);
    const remembered = signatureEnvelopeOf(bytes);
    expect(valuesOf(remembered)).toEqual(valuesOf(parseSignatureEnvelope(bytes)));
    // The memo holds the envelope as checked when encoded (its lists frozen; a parsed one's are not).
    expect(Object.isFrozen(remembered.certificates)).toBe(true);
    expect(Object.isFrozen(remembered)).toBe(true);
  });

  it("keeps its own copies: a caller's buffer changed afterwards does not change what the bytes parse to", () => {
    const mine = Buffer.from(leaf);
    const signature = Buffer.alloc(256, 9);
    const bytes = envelopeOf(signature, mine, URI);
    mine.fill(0);
    signature.fill(1);
    const remembered = signatureEnvelopeOf(bytes);
    expect(valuesOf(remembered)).toEqual(valuesOf(parseSignatureEnvelope(bytes)));
    expect(Buffer.from(remembered.certificates[0] as Uint8Array).equals(leaf)).toBe(true);
  });

  it('do not remember an envelope the parser refuses: verification still gets the parser’s error', () => {
    const other = 'evx://authority/police-hn/investigator/inv-2';
    const bytes = envelopeOf(value, leaf, other);
    expect(() => signatureEnvelopeOf(bytes)).toThrow(`"signerUri" ${other} is not the certificate's ${URI}`);
  });
});

describe('checkSignatureEnvelope', () => {
  it('accepts what parses back to the same values, a chain of two included', () => {
    for (const e of [envelope(), envelope({ certificates: [leaf, intermediate] })]) {
      expect(valuesOf(checkSignatureEnvelope(e))).toEqual(valuesOf(parseSignatureEnvelope(encodeSignatureEnvelope(e))));
    }
  });

  it.each<[string, () => Partial<SignatureEnvelope>]>([
    ['a signer URI that is not the certificate’s', () => ({ signerUri: 'evx://authority/police-hn/investigator/x' })],
    ['a signer URI that is not an EVX URI', () => ({ signerUri: 'https://example.org/inv-1' })],
    ['a signer URI too long', () => ({ signerUri: `evx://authority/police-hn/investigator/${'a'.repeat(300)}` })],
    ['a certificate hash of another certificate', () => ({ certificateSha256: sha256Hex(intermediate) })],
    ['a certificate hash that is not hex', () => ({ certificateSha256: 'X'.repeat(64) })],
    ['no certificate', () => ({ certificates: [] })],
    ['seventeen certificates', () => ({ certificates: Array.from({ length: 17 }, () => leaf) })],
    ['a certificate of more than 16 KiB', () => ({ certificates: [leaf, Buffer.alloc(16 * 1024 + 1, 1)] })],
    ['bytes that are not a certificate', () => ({ certificates: [leaf, Buffer.from('not a certificate')] })],
    ['another algorithm', () => ({ algorithm: 'RSASSA-PKCS1-v1_5' as typeof SIGNATURE_ALGORITHM })],
  ])('refuses %s with the parser’s message', (_, over) => {
    const e = envelope(over());
    const parsed = failure(() => parseSignatureEnvelope(encodeSignatureEnvelope(e)));
    expect(parsed).not.toBe('accepted');
    expect(failure(() => checkSignatureEnvelope(e))).toBe(parsed);
  });
});
