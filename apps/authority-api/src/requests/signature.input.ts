// A signature as the transports deliver it: the raw value the actor made with its key, and the certificate the
// caller authenticated with (its TLS client certificate), which must be the one whose key made it.
import { envelopeOf, sha256Hex } from '#evx/authorisation';
import { EvxError } from '#evx/errors';

export interface SignatureInput {
  readonly value: Uint8Array;
  /** Optional claims from the client, checked against the caller's certificate when given. */
  readonly signerUri?: string;
  readonly certificateSha256?: Uint8Array;
}

/** The signature envelope for the bundle, made from the caller's own signature and certificate. */
export function callerEnvelope(
  signature: SignatureInput | undefined,
  callerCertificate: Uint8Array | undefined,
  callerUri: string,
  field: string,
): Uint8Array {
  if (!signature || signature.value.length === 0)
    throw new EvxError('invalid-argument', `${field} is required: sign with your own key`);
  if (!callerCertificate) throw new EvxError('unauthenticated', 'no client certificate to verify the signature with');
  if (signature.signerUri && signature.signerUri !== callerUri) {
    throw new EvxError(
      'invalid-argument',
      `${field}.signer_uri ${signature.signerUri} is not the caller ${callerUri}`,
      'SIGNATURE_INVALID',
    );
  }
  if (
    signature.certificateSha256?.length &&
    Buffer.from(signature.certificateSha256).toString('hex') !== sha256Hex(callerCertificate)
  ) {
    throw new EvxError(
      'invalid-argument',
      `${field}.certificate_sha256 is not the SHA-256 of your client certificate`,
      'SIGNATURE_INVALID',
    );
  }
  return envelopeOf(signature.value, callerCertificate, callerUri);
}
