import { createPrivateKey, createPublicKey } from 'node:crypto';
import { formatVerifierKey, newEd25519Signer, type NoteSigner } from '#evx/tlog';

/**
 * The log's note signer from its Ed25519 private key (PKCS#8 PEM, as the dev PKI writes `log/log.key`). The key
 * name is the log's origin, so a checkpoint's signature line names the log it belongs to.
 */
export function logSignerFromPem(origin: string, pkcs8Pem: string): NoteSigner {
  const key = createPrivateKey(pkcs8Pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the log key must be Ed25519, got ${key.asymmetricKeyType}`);
  return newEd25519Signer(origin, Buffer.from(key.export({ format: 'jwk' }).d as string, 'base64url'));
}

/** The C2SP verifier key string (`name+hash+base64`) that verifies this log's checkpoints. */
export function logVerifierKeyFromPem(origin: string, spkiPem: string): string {
  const key = createPublicKey(spkiPem);
  return formatVerifierKey(origin, Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url'));
}
