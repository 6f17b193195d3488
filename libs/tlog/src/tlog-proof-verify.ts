// Verification of a tlog proof (C2SP tlog-proof, "Verifying a tlog proof",
// steps 2 and 4; witness policy, step 3, is left to the caller).
import { MerkleProofError, verifyInclusion } from '#evx/merkle';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { InclusionProofError } from './errors.js';
import type { NoteVerifier } from './note-key.js';
import type { OpenedNote } from './signed-note.js';
import { PROOF_HASH_SIZE, parseTlogProof } from './tlog-proof.js';

export interface VerifiedTlogProof {
  readonly index: number;
  readonly checkpoint: Checkpoint;
  /** The checkpoint note; witness cosignatures are in `note.unverified`. */
  readonly note: OpenedNote;
  /** Unauthenticated: only use it to recompute the leaf, never trust it. */
  readonly extra?: Uint8Array;
}

/**
 * Parses the proof, verifies the checkpoint signature and origin, then checks
 * that `leafHash` (RFC 6962 leaf hash, computed by the caller) is the entry at
 * the proof's index in the checkpointed tree.
 */
export function verifyTlogProof(
  proofText: string | Uint8Array,
  leafHash: Uint8Array,
  verifier: NoteVerifier,
  origin: string,
): VerifiedTlogProof {
  if (leafHash.length !== PROOF_HASH_SIZE) {
    throw new InclusionProofError(`leaf hash is ${leafHash.length} bytes, want ${PROOF_HASH_SIZE}`);
  }
  const proof = parseTlogProof(proofText);
  const { checkpoint, note } = openCheckpoint(proof.checkpoint, verifier, origin);
  if (proof.index >= checkpoint.size) {
    throw new InclusionProofError(`index ${proof.index} is not below tree size ${checkpoint.size}`);
  }
  try {
    verifyInclusion(leafHash, proof.index, checkpoint.size, proof.proof, checkpoint.rootHash);
  } catch (e) {
    // Re-typed so callers of this library only have to know TlogError.
    if (e instanceof MerkleProofError) throw new InclusionProofError(e.message, { cause: e });
    throw e;
  }
  const result = { index: proof.index, checkpoint, note };
  return proof.extra === undefined ? result : { ...result, extra: proof.extra };
}
