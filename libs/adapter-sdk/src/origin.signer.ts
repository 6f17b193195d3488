// The adapter's signature over what it uploaded: the origin statement of docs/package-format.md §5, encoded by
// libs/evidence-package and signed RSASSA-PSS with the adapter's own key (the key of its TLS certificate).
import { X509Certificate } from 'node:crypto';
import {
  encodeOrigin,
  parseSignatureEnvelope,
  pemStatementSigner,
  signStatement,
  type OriginStatement,
  type StatementSigner,
} from '#evx/evidence-package';
import type { Signature } from '#evx/proto';

export interface AdapterIdentity {
  /** evx://provider/<providerId>/adapter/<name> */
  readonly uri: string;
  readonly providerId: string;
  readonly signer: StatementSigner;
}

const ADAPTER_URI = /^evx:\/\/provider\/([a-z0-9][a-z0-9-]{0,62})\/adapter\/([a-z0-9][a-z0-9-]{0,62})$/;

/** The adapter's identity from its certificate chain (leaf first) and key, as used for mutual TLS. */
export function adapterIdentity(certPem: string, keyPem: string): AdapterIdentity {
  const uris = (new X509Certificate(certPem).subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4));
  const match = uris.map((uri) => ADAPTER_URI.exec(uri)).find((m) => m !== null);
  if (!match) {
    throw new Error(
      `the certificate names no adapter identity (evx://provider/<id>/adapter/<name>); it has ${uris.join(', ') || 'no URI'}`,
    );
  }
  return { uri: match[0], providerId: match[1] as string, signer: pemStatementSigner(certPem, keyPem) };
}

export type OriginFacts = Omit<OriginStatement, 'adapterUri' | 'providerId' | 'signedAt'>;

/** Signs the origin statement; returns the wire Signature and the exact statement bytes that were signed. */
export async function signOrigin(
  identity: AdapterIdentity,
  facts: OriginFacts,
  signedAt: Date,
): Promise<{ signature: Signature; statement: Uint8Array; signedAt: string }> {
  const at = new Date(Math.floor(signedAt.getTime())).toISOString();
  const statement = encodeOrigin({
    ...facts,
    adapterUri: identity.uri,
    providerId: identity.providerId,
    signedAt: at,
  });
  const envelope = parseSignatureEnvelope(await signStatement('origin', statement, identity.signer));
  return {
    statement,
    signedAt: at,
    signature: {
      signerUri: envelope.signerUri,
      algorithm: envelope.algorithm,
      value: Buffer.from(envelope.value),
      certificateSha256: Buffer.from(envelope.certificateSha256, 'hex'),
    },
  };
}
