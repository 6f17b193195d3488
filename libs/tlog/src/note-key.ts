// Signer and verifier keys for signed notes (C2SP signed-note): key names,
// key IDs and Ed25519 key objects. String encodings are in note-key-string.ts.
import { createHash } from 'node:crypto';
import {
  ED25519_KEY_SIZE,
  ed25519PrivateKey,
  ed25519PublicFromPrivate,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
} from './ed25519.js';
import { encodeBase64, hex32 } from './encoding.js';
import { KeyFormatError } from './errors.js';

/** Signature type byte for Ed25519 (signed-note "Signature types"). */
export const SIG_TYPE_ED25519 = 0x01;

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

export interface Ed25519NoteVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array;
  /** The `name+keyid+base64` verifier key string. */
  readonly verifierKey: string;
}

/** Holds the private key but never exposes the seed. */
export interface Ed25519NoteSigner extends NoteSigner {
  readonly publicKey: Uint8Array;
  readonly verifierKey: string;
}

/** Why a key name is invalid, or undefined if it is valid. */
export function keyNameProblem(name: string): string | undefined {
  if (name === '') return 'key name is empty';
  if (name.includes('+')) return `key name ${JSON.stringify(name)} contains '+'`;
  if (/\p{White_Space}/u.test(name)) return `key name ${JSON.stringify(name)} contains whitespace`;
  // Control characters are banned from notes, so such a name could never be opened.
  if (/\p{Cc}/u.test(name)) return `key name ${JSON.stringify(name)} contains a control character`;
  if (/\p{Surrogate}/u.test(name)) return `key name ${JSON.stringify(name)} is not well-formed Unicode`;
  return undefined;
}

export function isValidKeyName(name: string): boolean {
  return keyNameProblem(name) === undefined;
}

/** key ID = SHA-256(name || 0x0A || sigType || publicKey)[:4], big-endian. */
export function noteKeyId(name: string, sigType: number, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a, sigType))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

export function checkName(name: string, what: string): void {
  const problem = keyNameProblem(name);
  if (problem) throw new KeyFormatError(`invalid ${what}: ${problem}`);
}

export function checkKeySize(key: Uint8Array, what: string, kind: string): void {
  if (key.length !== ED25519_KEY_SIZE) {
    throw new KeyFormatError(`invalid ${what}: Ed25519 ${kind} is ${key.length} bytes, want ${ED25519_KEY_SIZE}`);
  }
}

export function newEd25519Verifier(name: string, publicKey: Uint8Array): Ed25519NoteVerifier {
  checkName(name, 'verifier key');
  checkKeySize(publicKey, 'verifier key', 'public key');
  const pub = Uint8Array.from(publicKey);
  const keyObject = ed25519PublicKey(pub);
  const keyId = noteKeyId(name, SIG_TYPE_ED25519, pub);
  return {
    name,
    keyId,
    publicKey: pub,
    verifierKey: `${name}+${hex32(keyId)}+${encodeBase64(Uint8Array.of(SIG_TYPE_ED25519, ...pub))}`,
    verify: (message, signature) => ed25519Verify(keyObject, message, signature),
  };
}

export function newEd25519Signer(name: string, seed: Uint8Array): Ed25519NoteSigner {
  checkName(name, 'signer key');
  checkKeySize(seed, 'signer key', 'seed');
  const keyObject = ed25519PrivateKey(seed);
  const { keyId, publicKey, verifierKey } = newEd25519Verifier(name, ed25519PublicFromPrivate(keyObject));
  return { name, keyId, publicKey, verifierKey, sign: (message) => ed25519Sign(keyObject, message) };
}
