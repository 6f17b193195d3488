// Transparency-log checkpoints (C2SP tlog-checkpoint): a signed note whose
// text is `origin\nsize\nbase64(root)\n` plus optional extension lines.
import { decodeBase64, decodeUtf8, encodeBase64, findControlChar, isSafeCount, parseDecimal } from './encoding.js';
import { CheckpointOriginError, MalformedCheckpointError } from './errors.js';
import type { NoteSigner, NoteVerifier } from './note-key.js';
import { openNote, signNote, type OpenedNote } from './signed-note.js';

export const ROOT_HASH_SIZE = 32;

export interface Checkpoint {
  readonly origin: string;
  /** Tree size; a safe integer (see README: sizes are `number`). */
  readonly size: number;
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty extra lines after the root hash. */
  readonly extensions?: readonly string[];
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The verified note, with any cosignatures left in `unverified`. */
  readonly note: OpenedNote;
}

function checkLine(line: string, what: string): void {
  if (line === '') throw new MalformedCheckpointError(`${what} is empty`);
  if (line.includes('\n')) throw new MalformedCheckpointError(`${what} contains a newline`);
  if (findControlChar(line) >= 0) throw new MalformedCheckpointError(`${what} contains a control character`);
  if (decodeUtf8(line) === undefined) throw new MalformedCheckpointError(`${what} is not well-formed Unicode`);
}

/** Formats the checkpoint body (the note text), validating every field. */
export function formatCheckpoint(cp: Checkpoint): string {
  checkLine(cp.origin, 'origin');
  if (!isSafeCount(cp.size)) {
    throw new MalformedCheckpointError(`tree size ${cp.size} is not a non-negative safe integer`);
  }
  if (cp.rootHash.length !== ROOT_HASH_SIZE) {
    throw new MalformedCheckpointError(`root hash is ${cp.rootHash.length} bytes, want ${ROOT_HASH_SIZE}`);
  }
  const extensions = cp.extensions ?? [];
  extensions.forEach((line, i) => checkLine(line, `extension line ${i + 1}`));
  return [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...extensions].map((l) => `${l}\n`).join('');
}

/** Parses a checkpoint body. It does not verify anything: see openCheckpoint. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new MalformedCheckpointError('text does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new MalformedCheckpointError(`want at least 3 lines (origin, size, root hash), found ${lines.length}`);
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine(origin, 'origin');
  const size = parseDecimal(sizeText, 'tree size');
  if (typeof size === 'string') throw new MalformedCheckpointError(size);
  const rootHash = decodeBase64(rootText);
  if (rootHash === undefined) throw new MalformedCheckpointError('root hash is not canonical standard base64');
  if (rootHash.length !== ROOT_HASH_SIZE) {
    throw new MalformedCheckpointError(`root hash is ${rootHash.length} bytes, want ${ROOT_HASH_SIZE}`);
  }
  extensions.forEach((line, i) => checkLine(line, `extension line ${i + 1}`));
  return { origin, size, rootHash, extensions };
}

/** Formats and signs a checkpoint, returning the signed note. */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

/**
 * Verifies the log's signature, then parses the body and checks the origin.
 * Other signatures (witness cosignatures) are returned unverified in `note`.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifier: NoteVerifier,
  expectedOrigin: string,
): OpenedCheckpoint {
  const opened = openNote(note, [verifier]);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== expectedOrigin) throw new CheckpointOriginError(checkpoint.origin, expectedOrigin);
  return { checkpoint, note: opened };
}
