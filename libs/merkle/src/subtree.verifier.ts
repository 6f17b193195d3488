// Verifiers for subtree proofs (draft-ietf-plants-merkle-tree-certs, "subtree inclusion" and
// "subtree consistency"), matching transparency-dev/merkle's VerifySubtree* functions. A subtree
// [start, end) is a left part of one tree node; with start = 0 these reduce to RFC 9162 proofs.
import { bytesEqual, toHex } from './bytes.util.js';
import { MerkleProofError } from './proof.error.js';
import { subtreeProblem } from './proof.planner.js';
import {
  inclusionProofLength,
  requireHashSizes,
  requireLeafHash,
  requireProofLength,
  requireRoot,
  requireUint,
  rootFromInclusionProof,
} from './proof.verifier.js';
import { emptyRoot, hashChildren } from './rfc6962.hasher.js';
import { bitLength, isOdd, isPowerOfTwo, popCount, shl, shr, trailingZeros, xor } from './tree-math.util.js';

function requireSubtree(start: number, end: number): void {
  const problem = subtreeProblem(start, end);
  if (problem !== null) throw new MerkleProofError('invalid-input', `invalid subtree [${start}, ${end}): ${problem}`);
}

/** Verifies that `leafHash` is leaf `index` of the subtree [start, end) whose root is `subtreeRoot`. */
export function verifySubtreeInclusion(
  leafHash: Uint8Array,
  index: number,
  start: number,
  end: number,
  proof: readonly Uint8Array[],
  subtreeRoot: Uint8Array,
): void {
  requireSubtree(start, end);
  requireUint('leaf index', index);
  if (index < start || index >= end) {
    throw new MerkleProofError('invalid-input', `leaf index ${index} is outside subtree [${start}, ${end})`);
  }
  requireLeafHash(leafHash);
  requireHashSizes(proof);
  // Checked here so the message names the subtree rather than the shifted coordinates below.
  requireProofLength(
    proof,
    inclusionProofLength(index - start, end - start),
    `inclusion proof for leaf ${index} in subtree [${start}, ${end})`,
  );
  // The subtree hashes exactly like a whole tree of end - start leaves.
  const computed = rootFromInclusionProof(leafHash, index - start, end - start, proof);
  requireRoot(computed, subtreeRoot, `inclusion proof for leaf ${index} in subtree [${start}, ${end}) does not match`);
}

/**
 * Verifies that the subtree [start, end) with root `subtreeRoot` is part of the tree of `size`
 * leaves with root `root`. As in transparency-dev, an empty subtree (start = end <= size) only
 * requires an empty proof and subtreeRoot = SHA-256(""); `root` is then not examined.
 */
export function verifySubtreeConsistency(
  start: number,
  end: number,
  size: number,
  proof: readonly Uint8Array[],
  subtreeRoot: Uint8Array,
  root: Uint8Array,
): void {
  requireSubtree(start, end);
  requireUint('tree size', size);
  if (end > size) throw new MerkleProofError('invalid-input', `subtree end ${end} is beyond tree size ${size}`);
  const what = `consistency proof from subtree [${start}, ${end}) to tree size ${size}`;
  if (start === end) {
    requireProofLength(proof, 0, `${what} (empty subtree)`);
    if (!bytesEqual(subtreeRoot, emptyRoot())) {
      throw new MerkleProofError(
        'root-mismatch',
        `empty subtree [${start}, ${end}) must have the empty root, got ${toHex(subtreeRoot)}`,
      );
    }
    return;
  }
  if (start === 0 && end === size) {
    requireProofLength(proof, 0, what);
    requireRoot(subtreeRoot, root, `${what}: the subtree is the whole tree but the roots differ`);
    return;
  }
  requireHashSizes(proof);

  // The subtree's covering node: below its level, left siblings lie inside the subtree.
  const coverLevel = bitLength(xor(end - 1, start));
  let level: number;
  let index: number;
  let seed: Uint8Array;
  let rest: readonly Uint8Array[];
  let checkSubtree: boolean;
  if (end === size) {
    // Right edge: start from the subtree root itself; only left siblings follow.
    level = coverLevel;
    index = shr(start, level);
    requireProofLength(proof, popCount(index), what);
    [seed, rest, checkSubtree] = [subtreeRoot, proof, false];
  } else {
    // Start from the subtree's last perfect node, sent first unless it is the subtree itself.
    level = trailingZeros(end - start);
    index = shr(end - 1, level);
    const perfect = isPowerOfTwo(end - start);
    requireProofLength(proof, (perfect ? 0 : 1) + inclusionProofLength(index, shr(size - 1, level) + 1), what);
    [seed, rest, checkSubtree] = perfect ? [subtreeRoot, proof, false] : [proof[0], proof.slice(1), true];
  }

  let subtreeHash = seed;
  let treeHash = seed;
  let next = 0;
  for (const rootLevel = bitLength(size - 1); level < rootLevel; level++, index = shr(index, 1)) {
    const sibling = isOdd(index) ? index - 1 : index + 1;
    if (shl(sibling, level) >= size) continue; // no right sibling: the node is promoted
    const p = rest[next++];
    if (isOdd(index)) {
      treeHash = hashChildren(p, treeHash);
      if (level < coverLevel) subtreeHash = hashChildren(p, subtreeHash);
    } else {
      treeHash = hashChildren(treeHash, p);
    }
  }
  if (checkSubtree) requireRoot(subtreeHash, subtreeRoot, `${what} does not match the subtree root`);
  requireRoot(treeHash, root, `${what} does not match the tree root`);
}
