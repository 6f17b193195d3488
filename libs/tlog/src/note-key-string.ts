// String encodings of note keys (C2SP signed-note "Verifier keys"; the signer
// key encoding is Go's golang.org/x/mod/sumdb/note one).
import { randomBytes } from 'node:crypto';
import { ED25519_KEY_SIZE } from './ed25519.js';
import { decodeBase64, encodeBase64, hex32 } from './encoding.js';
import { KeyFormatError } from './errors.js';
import {
  SIG_TYPE_ED25519,
  checkKeySize,
  checkName,
  newEd25519Signer,
  newEd25519Verifier,
  type Ed25519NoteSigner,
  type Ed25519NoteVerifier,
} from './note-key.js';

/** Encodes `name+keyid+base64(0x01||publicKey)`. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  return newEd25519Verifier(name, publicKey).verifierKey;
}

/** Encodes `PRIVATE+KEY+name+keyid+base64(0x01||seed)`; keep it secret. */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  const { keyId } = newEd25519Signer(name, seed);
  return `PRIVATE+KEY+${name}+${hex32(keyId)}+${encodeBase64(Uint8Array.of(SIG_TYPE_ED25519, ...seed))}`;
}

/** Generates a fresh Ed25519 key pair as signer and verifier key strings. */
export function generateNoteKeyPair(name: string): { signerKey: string; verifierKey: string } {
  const seed = randomBytes(ED25519_KEY_SIZE);
  return { signerKey: formatSignerKey(name, seed), verifierKey: newEd25519Signer(name, seed).verifierKey };
}

interface KeyParts {
  name: string;
  keyId: number;
  material: Uint8Array;
}

/**
 * Splits off `count` leading '+'-terminated fields; the rest is the last field.
 * A plain split would be wrong: base64 key data may itself contain '+'.
 */
function cutFields(text: string, count: number): string[] | undefined {
  const fields: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    const at = rest.indexOf('+');
    if (at < 0) return undefined;
    fields.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  fields.push(rest);
  return fields;
}

// Shared by both key kinds; `what` names the kind in messages. Key material is
// never echoed, since for signer keys it is the secret.
function splitKey(name: string, idHex: string, data: string, what: string): KeyParts {
  checkName(name, what);
  if (!/^[0-9a-f]{8}$/.test(idHex)) {
    throw new KeyFormatError(`invalid ${what}: key ID ${JSON.stringify(idHex)} is not 8 lowercase hex digits`);
  }
  const raw = decodeBase64(data);
  if (raw === undefined) throw new KeyFormatError(`invalid ${what}: key data is not canonical standard base64`);
  if (raw.length === 0) throw new KeyFormatError(`invalid ${what}: key data is empty`);
  if (raw[0] !== SIG_TYPE_ED25519) {
    const type = raw[0].toString(16).padStart(2, '0');
    throw new KeyFormatError(`invalid ${what}: unsupported signature type 0x${type} (only 0x01 Ed25519)`);
  }
  const material = raw.subarray(1);
  checkKeySize(material, what, what === 'signer key' ? 'seed' : 'public key');
  return { name, keyId: parseInt(idHex, 16), material };
}

function checkKeyId(parts: KeyParts, actual: number, what: string): void {
  if (parts.keyId !== actual) {
    throw new KeyFormatError(
      `invalid ${what}: key ID ${hex32(parts.keyId)} does not match the key (computed ${hex32(actual)})`,
    );
  }
}

/** Parses a `name+keyid+base64(0x01||publicKey)` verifier key. */
export function parseVerifierKey(vkey: string): Ed25519NoteVerifier {
  const what = 'verifier key';
  if (vkey.startsWith('PRIVATE+KEY+')) {
    throw new KeyFormatError(`invalid ${what}: this is a signer (private) key; pass the verifier key`);
  }
  const fields = cutFields(vkey, 2);
  if (fields === undefined) throw new KeyFormatError(`invalid ${what}: want <name>+<key ID>+<key data>`);
  const [name, idHex, data] = fields as [string, string, string];
  const parts = splitKey(name, idHex, data, what);
  const verifier = newEd25519Verifier(parts.name, parts.material);
  checkKeyId(parts, verifier.keyId, what);
  return verifier;
}

/** Parses a `PRIVATE+KEY+name+keyid+base64(0x01||seed)` signer key. */
export function parseSignerKey(skey: string): Ed25519NoteSigner {
  const what = 'signer key';
  const fields = cutFields(skey, 4);
  if (fields === undefined || fields[0] !== 'PRIVATE' || fields[1] !== 'KEY') {
    throw new KeyFormatError(`invalid ${what}: want PRIVATE+KEY+<name>+<key ID>+<key data>`);
  }
  const [, , name, idHex, data] = fields as [string, string, string, string, string];
  const parts = splitKey(name, idHex, data, what);
  const signer = newEd25519Signer(parts.name, parts.material);
  checkKeyId(parts, signer.keyId, what);
  return signer;
}
