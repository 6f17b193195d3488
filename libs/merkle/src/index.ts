// RFC 6962 / RFC 9162 Merkle tree primitives: hashing, proof plans over stored perfect nodes,
// appending, an in-memory tree, and proof verification.
export { HASH_SIZE, emptyRoot, hashChildren, hashLeaf } from './rfc6962.hasher.js';
export { bytesEqual, toHex } from './bytes.util.js';
export { frontierNodes, nodeRange, type NodeHash, type NodeId } from './node-id.util.js';
export {
  buildProof,
  consistencyPlan,
  inclusionPlan,
  proofLength,
  subtreeConsistencyPlan,
  subtreeInclusionPlan,
  subtreeProblem,
  type EphemeralNode,
  type ProofPlan,
} from './proof.planner.js';
export { fetchProof, fetchRoot, type NodeReader } from './node-reader.js';
export { CompactRange } from './compact-range.js';
export { InMemoryTree } from './in-memory-tree.js';
export { MerkleProofError, type ProofFailure } from './proof.error.js';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './proof.verifier.js';
export { verifySubtreeConsistency, verifySubtreeInclusion } from './subtree.verifier.js';
