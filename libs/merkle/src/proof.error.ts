/** Why a proof was rejected; stable for programmatic handling, while the message is for people. */
export type ProofFailure =
  /** Sizes or indices that cannot describe a valid proof (index >= size, size1 > size2, ...). */
  | 'invalid-input'
  /** A leaf or proof hash that is not 32 bytes long. */
  | 'bad-hash-size'
  /** The proof has the wrong number of hashes for the claimed sizes. */
  | 'wrong-proof-length'
  /** The proof is well formed but does not lead to the expected root. */
  | 'root-mismatch';

/** Thrown by every verifier when a proof does not verify. */
export class MerkleProofError extends Error {
  override readonly name = 'MerkleProofError';

  constructor(
    readonly failure: ProofFailure,
    message: string,
  ) {
    super(message);
  }
}
