// Verifiers for RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs, following the
// RFC's algorithms step by step, with transparency-dev/merkle's treatment of edge cases.
import { bytesEqual, toHex } from './bytes.util.js';
import { MerkleProofError } from './proof.error.js';
import { HASH_SIZE, hashChildren } from './rfc6962.hasher.js';
import { bitLength, isOdd, isPowerOfTwo, isUint, popCount, shr, trailingZeros, xor } from './tree-math.util.js';

/** Throws `invalid-input` unless value is a non-negative safe integer (JSON may carry 2^64 - 1). */
export function requireUint(name: string, value: number): void {
  if (!isUint(value)) {
    throw new MerkleProofError('invalid-input', `${name} ${String(value)} is not a non-negative safe integer`);
  }
}

/** Throws `bad-hash-size` unless the leaf hash is HASH_SIZE bytes. */
export function requireLeafHash(leafHash: Uint8Array): void {
  if (leafHash.length !== HASH_SIZE) {
    throw new MerkleProofError('bad-hash-size', `leaf hash has ${leafHash.length} bytes, want ${HASH_SIZE}`);
  }
}

/** Throws `bad-hash-size` unless every proof hash is HASH_SIZE bytes. */
export function requireHashSizes(proof: readonly Uint8Array[]): void {
  proof.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      throw new MerkleProofError('bad-hash-size', `proof hash #${i} has ${h.length} bytes, want ${HASH_SIZE}`);
    }
  });
}

/** Throws `wrong-proof-length` unless the proof has exactly `want` hashes. */
export function requireProofLength(proof: readonly Uint8Array[], want: number, what: string): void {
  if (proof.length !== want) {
    const hashes = (n: number): string => `${n} hash${n === 1 ? '' : 'es'}`;
    throw new MerkleProofError('wrong-proof-length', `${what} must have ${hashes(want)}, got ${proof.length}`);
  }
}

/** Throws `root-mismatch` unless the computed root equals the expected one. */
export function requireRoot(computed: Uint8Array, expected: Uint8Array, what: string): void {
  if (!bytesEqual(computed, expected)) {
    throw new MerkleProofError('root-mismatch', `${what}: computed ${toHex(computed)}, expected ${toHex(expected)}`);
  }
}

/**
 * Length of the inclusion proof of leaf `index` in a tree of `size` leaves (index < size): one
 * hash per level below the point where the paths to `index` and `size - 1` meet, then one per
 * left sibling on the shared right-edge path above it.
 */
export function inclusionProofLength(index: number, size: number): number {
  const inner = bitLength(xor(index, size - 1));
  return inner + popCount(shr(index, inner));
}

/** Length of the consistency proof between sizes 0 < size1 < size2. */
export function consistencyProofLength(size1: number, size2: number): number {
  // The proof is the inclusion path of size1's last perfect node (level k) in size2's tree, which
  // behaves like a leaf in a tree of ceil(size2 / 2^k) leaves, plus that node unless it is the
  // whole old tree.
  const k = trailingZeros(size1);
  const path = inclusionProofLength(shr(size1 - 1, k), shr(size2 - 1, k) + 1);
  return path + (isPowerOfTwo(size1) ? 0 : 1);
}

/**
 * Computes the root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1-4). Throws
 * MerkleProofError if index >= size, a hash has the wrong size or the proof the wrong length.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array {
  requireUint('leaf index', index);
  requireUint('tree size', size);
  if (index >= size) {
    throw new MerkleProofError('invalid-input', `leaf index ${index} is not less than tree size ${size}`);
  }
  requireLeafHash(leafHash);
  requireHashSizes(proof);
  // Checked up front (the RFC loop would also fail) so the message can say what was expected.
  requireProofLength(
    proof,
    inclusionProofLength(index, size),
    `inclusion proof for leaf ${index} in a tree of size ${size}`,
  );

  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new MerkleProofError('wrong-proof-length', 'inclusion proof is too long');
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      // Skip the levels where the node is a lone left child on the right edge (no sibling).
      while (!isOdd(fn) && fn !== 0) {
        fn = shr(fn, 1);
        sn = shr(sn, 1);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = shr(fn, 1);
    sn = shr(sn, 1);
  }
  if (sn !== 0) throw new MerkleProofError('wrong-proof-length', 'inclusion proof is too short');
  return r;
}

/**
 * Verifies that `leafHash` is the leaf at `index` in the tree of `size` leaves with root `root`
 * (RFC 9162 §2.1.3.2). Throws MerkleProofError saying what failed.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  requireRoot(computed, root, `inclusion proof for leaf ${index} in a tree of size ${size} does not match the root`);
}

/**
 * Verifies that the tree of size1 leaves with root1 is a prefix of the tree of size2 leaves with
 * root2 (RFC 9162 §2.1.4.2). Throws MerkleProofError saying what failed.
 *
 * As in transparency-dev, size1 = 0 is rejected even when size2 = 0: a proof from the empty tree
 * proves nothing. When size1 = size2 the proof must be empty and the roots equal.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  requireUint('size1', size1);
  requireUint('size2', size2);
  if (size2 < size1) {
    throw new MerkleProofError('invalid-input', `size1 ${size1} is greater than size2 ${size2}`);
  }
  if (size1 === 0) {
    throw new MerkleProofError('invalid-input', 'a consistency proof from the empty tree (size1 = 0) is meaningless');
  }
  if (size1 === size2) {
    requireProofLength(proof, 0, `consistency proof between equal sizes (${size1})`);
    if (!bytesEqual(root1, root2)) {
      throw new MerkleProofError(
        'root-mismatch',
        `root1 ${toHex(root1)} and root2 ${toHex(root2)} differ although both trees have size ${size1}`,
      );
    }
    return;
  }
  requireHashSizes(proof);
  const what = `consistency proof from size ${size1} to size ${size2}`;
  requireProofLength(proof, consistencyProofLength(size1, size2), what);

  // Step 2: when the old tree is perfect its root is the proof's implicit first node.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // Steps 3-4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = shr(fn, 1);
    sn = shr(sn, 1);
  }
  // Steps 5-6.
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new MerkleProofError('wrong-proof-length', `${what} is too long`);
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = shr(fn, 1);
        sn = shr(sn, 1);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = shr(fn, 1);
    sn = shr(sn, 1);
  }
  // Step 7.
  if (sn !== 0) throw new MerkleProofError('wrong-proof-length', `${what} is too short`);
  requireRoot(fr, root1, `${what} does not match root1 (the old tree)`);
  requireRoot(sr, root2, `${what} does not match root2 (the new tree)`);
}
