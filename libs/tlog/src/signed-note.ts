// Signed notes (C2SP signed-note; behaviour modelled on Go's sumdb/note).
import { decodeBase64, decodeUtf8, encodeBase64, findControlChar } from './encoding.js';
import {
  AmbiguousKeyError,
  InvalidSignatureError,
  KeyFormatError,
  MalformedNoteError,
  UnverifiedNoteError,
} from './errors.js';
import { keyNameProblem, type NoteSigner, type NoteVerifier } from './note-key.js';

/**
 * Signature lines accepted per note. The spec requires at least 16; 100 is
 * Go's limit, and bounds the work an attacker can make a verifier do.
 */
export const MAX_NOTE_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 ';

/** Signature entry as it appears in a note, verified or not. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The base64 text of the signature line (key ID || signature). */
  readonly base64: string;
}

export interface OpenedNote {
  /** The signed text, including its final newline. */
  readonly text: string;
  /** Signatures verified by a known key, at most one per key. */
  readonly signatures: readonly NoteSignature[];
  /** Signatures from unknown keys (e.g. witness cosignatures), unverified. */
  readonly unverified: readonly NoteSignature[];
}

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
const slot = (name: string, keyId: number): string => `${name}+${keyId}`;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function controlCharProblem(text: string, what: string): string | undefined {
  const at = findControlChar(text);
  if (at < 0) return undefined;
  const code = text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
  return `${what} contains control character U+${code} on line ${lineOf(text, at)}`;
}

function checkText(text: string): void {
  if (decodeUtf8(text) === undefined) throw new MalformedNoteError('text is not well-formed Unicode');
  if (!text.endsWith('\n')) throw new MalformedNoteError('text does not end with a newline');
  const problem = controlCharProblem(text, 'text');
  if (problem) throw new MalformedNoteError(problem);
}

function signatureLine(sig: NoteSignature): string {
  return `${SIG_PREFIX}${sig.name} ${sig.base64}\n`;
}

function checkExisting(sig: NoteSignature): void {
  const problem = keyNameProblem(sig.name);
  const raw = decodeBase64(sig.base64);
  if (problem) throw new MalformedNoteError(`existing signature: ${problem}`);
  if (raw === undefined || raw.length < 5) {
    throw new MalformedNoteError(`existing signature for ${sig.name} is not base64 of key ID || signature`);
  }
  if (Buffer.from(raw).readUInt32BE(0) !== sig.keyId) {
    throw new MalformedNoteError(`existing signature for ${sig.name} does not carry its key ID`);
  }
}

/**
 * Signs `text` (which must end in a newline) and returns the note. `existing`
 * signatures (e.g. from openNote, when cosigning) are kept first, except those
 * replaced by a signer with the same key name and ID.
 */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: readonly NoteSignature[] = [],
): string {
  checkText(text);
  const fresh = new Set<string>();
  for (const s of signers) {
    const problem = keyNameProblem(s.name);
    if (problem) throw new KeyFormatError(`invalid signer: ${problem}`);
    if (!Number.isInteger(s.keyId) || s.keyId < 0 || s.keyId > 0xffffffff) {
      throw new KeyFormatError(`invalid signer: key ID ${s.keyId} is not a uint32`);
    }
    if (fresh.has(slot(s.name, s.keyId))) throw new KeyFormatError(`invalid signer: ${s.name} given twice`);
    fresh.add(slot(s.name, s.keyId));
  }
  // As in Go, a signature being replaced is dropped without being checked.
  const kept = existing.filter((sig) => !fresh.has(slot(sig.name, sig.keyId)));
  kept.forEach(checkExisting);
  const total = kept.length + signers.length;
  if (total === 0) throw new MalformedNoteError('a note needs at least one signature');
  if (total > MAX_NOTE_SIGNATURES) {
    throw new MalformedNoteError(`too many signatures (${total}, limit ${MAX_NOTE_SIGNATURES})`);
  }
  const message = utf8(text);
  const added = signers.map((s): NoteSignature => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyId);
    return { name: s.name, keyId: s.keyId, base64: encodeBase64(Buffer.concat([id, s.sign(message)])) };
  });
  return `${text}\n${[...kept, ...added].map(signatureLine).join('')}`;
}

interface ParsedLine {
  readonly sig: NoteSignature;
  readonly bytes: Uint8Array;
  readonly line: string;
}

function parseSignatureLine(line: string, lineNo: number): ParsedLine {
  function fail(why: string): never {
    throw new MalformedNoteError(`line ${lineNo}: ${why}`);
  }
  if (!line.startsWith(SIG_PREFIX)) fail('signature line does not start with an em dash (U+2014) and a space');
  const body = line.slice(SIG_PREFIX.length);
  const space = body.indexOf(' ');
  if (space < 0) fail('signature line has no space between key name and signature');
  const name = body.slice(0, space);
  const b64 = body.slice(space + 1);
  const problem = keyNameProblem(name);
  if (problem) fail(problem);
  const raw = decodeBase64(b64);
  if (b64 === '' || raw === undefined) fail('signature is not canonical standard base64');
  if (raw.length < 5) fail(`signature is ${raw.length} bytes, want a 4-byte key ID and a signature`);
  const keyId = Buffer.from(raw).readUInt32BE(0);
  return { sig: { name, keyId, base64: b64 }, bytes: raw.subarray(4), line };
}

function indexVerifiers(verifiers: readonly NoteVerifier[]): Map<string, NoteVerifier[]> {
  const known = new Map<string, NoteVerifier[]>();
  for (const v of verifiers) {
    const key = slot(v.name, v.keyId);
    known.set(key, [...(known.get(key) ?? []), v]);
  }
  return known;
}

/**
 * Parses and verifies a note. Signatures from unknown keys are returned
 * unverified; a known key whose signature fails rejects the whole note; no
 * verified signature at all is an UnverifiedNoteError.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const msg = decodeUtf8(note);
  if (msg === undefined) throw new MalformedNoteError('note is not valid UTF-8');
  const control = controlCharProblem(msg, 'note');
  if (control) throw new MalformedNoteError(control);

  // The last blank line separates text from signatures: text may contain blank lines.
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new MalformedNoteError('no blank line separating text from signatures');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === '') throw new MalformedNoteError('no signature lines after the blank line');
  if (!block.endsWith('\n')) throw new MalformedNoteError('note does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new MalformedNoteError(`too many signatures (${lines.length}, limit ${MAX_NOTE_SIGNATURES})`);
  }
  const firstLineNo = lineOf(msg, split + 2);
  const parsed = lines.map((line, i) => parseSignatureLine(line, firstLineNo + i));

  const known = indexVerifiers(verifiers);
  const message = utf8(text);
  const signatures: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const verified = new Set<string>();
  const seenUnknown = new Set<string>();
  for (const { sig, bytes, line } of parsed) {
    const key = slot(sig.name, sig.keyId);
    const candidates = known.get(key);
    if (candidates === undefined) {
      if (!seenUnknown.has(line)) unverified.push(sig);
      seenUnknown.add(line);
      continue;
    }
    if (candidates.length > 1) throw new AmbiguousKeyError(sig.name, sig.keyId);
    // Unlike Go, a repeated line from a known key is verified too: the spec
    // says signatures from known keys MUST be verified.
    if (!candidates[0].verify(message, bytes)) throw new InvalidSignatureError(sig.name, sig.keyId);
    if (!verified.has(key)) signatures.push(sig);
    verified.add(key);
  }
  if (signatures.length === 0) throw new UnverifiedNoteError(unverified);
  return { text, signatures, unverified };
}
