// Error types for the tlog formats. Every error extends TlogError so callers
// can catch the whole family; messages are stable and name what was wrong.
import { hex32 } from './encoding.js';
import type { NoteSignature } from './signed-note.js';

export class TlogError extends Error {
  override name = 'TlogError';
}

/** A signer or verifier key string could not be parsed or is inconsistent. */
export class KeyFormatError extends TlogError {
  override name = 'KeyFormatError';
}

/** The signed note is not syntactically valid (the Go "malformed note"). */
export class MalformedNoteError extends TlogError {
  override name = 'MalformedNoteError';
  constructor(readonly reason: string) {
    super(`malformed note: ${reason}`);
  }
}

/** A signature from a known key failed to verify; the whole note is rejected. */
export class InvalidSignatureError extends TlogError {
  override name = 'InvalidSignatureError';
  constructor(
    readonly keyName: string,
    readonly keyId: number,
  ) {
    super(`invalid signature for key ${keyName}+${hex32(keyId)}`);
  }
}

/** The verifier list holds two keys with the same name and key ID. */
export class AmbiguousKeyError extends TlogError {
  override name = 'AmbiguousKeyError';
  constructor(
    readonly keyName: string,
    readonly keyId: number,
  ) {
    super(`ambiguous key ${keyName}+${hex32(keyId)}`);
  }
}

/**
 * The note parsed but no known key signed it. The text is deliberately not
 * exposed: unverified text must be ignored (signed-note spec).
 */
export class UnverifiedNoteError extends TlogError {
  override name = 'UnverifiedNoteError';
  constructor(readonly unverified: readonly NoteSignature[]) {
    super('note has no verifiable signatures');
  }
}

export class MalformedCheckpointError extends TlogError {
  override name = 'MalformedCheckpointError';
  constructor(readonly reason: string) {
    super(`malformed checkpoint: ${reason}`);
  }
}

/** The checkpoint is validly signed but for another log. */
export class CheckpointOriginError extends TlogError {
  override name = 'CheckpointOriginError';
  constructor(
    readonly origin: string,
    readonly expectedOrigin: string,
  ) {
    super(`checkpoint origin ${JSON.stringify(origin)} does not match expected ${JSON.stringify(expectedOrigin)}`);
  }
}

export class MalformedTlogProofError extends TlogError {
  override name = 'MalformedTlogProofError';
  constructor(readonly reason: string) {
    super(`malformed tlog proof: ${reason}`);
  }
}

/** The inclusion proof does not bind the leaf hash to the checkpoint root. */
export class InclusionProofError extends TlogError {
  override name = 'InclusionProofError';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`inclusion proof failed: ${reason}`, options);
  }
}
