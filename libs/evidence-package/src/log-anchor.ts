// The transparency log as the package format sees it: something that appends the package commitment leaf and
// returns proof of it (the vault), and the trust-folder key that verifies that proof offline.
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidKeyName, newEd25519Verifier, type NoteVerifier } from '#evx/tlog';

/** Appends a package commitment leaf (exact bytes) to the EVX log and proves it. */
export interface LogAnchor {
  /**
   * @returns the signed checkpoint (C2SP signed note) of a tree that contains the leaf, and the C2SP tlog-proof of
   *   the leaf in that tree, whose embedded checkpoint is exactly `checkpoint`.
   */
  commit(leaf: Uint8Array): Promise<{ checkpoint: string; tlogProof: string }>;
}

/** Where a trust folder keeps the log's public key (SPKI PEM, Ed25519), as the dev PKI writes it. */
export function logPublicKeyPath(trustDir: string): string {
  return join(trustDir, 'log', 'log.pub');
}

/**
 * The note verifier for the log's checkpoints: the key from `<trustDir>/log/log.pub`, named by the log's origin
 * (the vault signs with key name = origin, as C2SP tlog-checkpoint recommends).
 */
export async function logVerifierFromTrustDir(trustDir: string, origin: string): Promise<NoteVerifier> {
  if (!isValidKeyName(origin)) throw new Error(`log origin ${JSON.stringify(origin)} cannot be a note key name`);
  const path = logPublicKeyPath(trustDir);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`the trust folder ${trustDir} has no log key: cannot read ${path} (${(error as Error).message})`);
  }
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path} must hold an Ed25519 public key`);
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error(`${path}: cannot read the public key`);
  return newEd25519Verifier(origin, Buffer.from(x, 'base64url'));
}
