// Proof plans: which stored (perfect) nodes a log must read to serve a proof, and how to turn
// them into the proof. Keeps reads at O(log n) for any tree size without materialising the tree.
import { HASH_SIZE } from './rfc6962.hasher.js';
import { foldRight, rangeNodes, type NodeId } from './node-id.util.js';
import { assertUint, bitLength, isOdd, isPowerOfTwo, shl, shr, trailingZeros, xor } from './tree-math.util.js';

/**
 * A proof element that is not a stored node: the root of an incomplete subtree on the right edge
 * of the tree. Its hash is recomputed from `ProofPlan.nodes[start, end)`.
 */
export interface EphemeralNode {
  /** The node's position in the perfect tree laid over the log (informational). */
  readonly id: NodeId;
  /** `nodes[start, end)` are the perfect nodes covering the ephemeral node, left to right. */
  readonly start: number;
  readonly end: number;
}

/** How to build an inclusion or consistency proof from stored perfect nodes. */
export interface ProofPlan {
  /** Perfect nodes to read, in proof order (bottom-up); an ephemeral node's cover sits in its slot. */
  readonly nodes: readonly NodeId[];
  /** At most one proof element per RFC 9162 proof needs rehashing; null when none does. */
  readonly ephemeral: EphemeralNode | null;
}

const EMPTY_PLAN: ProofPlan = Object.freeze({ nodes: Object.freeze([]), ephemeral: null });

/** Plan for the RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in a tree of `size` leaves. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  assertUint('index', index);
  assertUint('size', size);
  if (index >= size) throw new RangeError(`leaf index ${index} is out of range for tree size ${size}`);
  return siblingPath({ level: 0, index }, size, []);
}

/**
 * Plan for the RFC 9162 §2.1.4.1 consistency proof between tree sizes size1 <= size2. Like
 * transparency-dev, size1 = 0 is refused: every tree is consistent with the empty tree, so such a
 * proof proves nothing and verifiers reject it.
 */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  assertUint('size1', size1);
  assertUint('size2', size2);
  if (size1 > size2) throw new RangeError(`size1 ${size1} is greater than size2 ${size2}`);
  if (size1 === 0) throw new RangeError('a consistency proof from the empty tree is meaningless');
  return subtreeConsistencyPlan(0, size1, size2);
}

/**
 * Returns why [start, end) is not a subtree usable in subtree proofs, or null if it is. A valid
 * subtree starts at a multiple of the smallest power of two >= its length (or at 0, or is empty),
 * i.e. it is the left part of a single node (draft-ietf-plants-merkle-tree-certs, "subtrees").
 */
export function subtreeProblem(start: number, end: number): string | null {
  if (!Number.isSafeInteger(start) || start < 0) return `start ${start} is not a non-negative safe integer`;
  if (!Number.isSafeInteger(end) || end < 0) return `end ${end} is not a non-negative safe integer`;
  if (start > end) return `start ${start} is greater than end ${end}`;
  if (start === 0 || start === end) return null;
  const alignment = 2 ** bitLength(end - start - 1);
  if (start % alignment !== 0) {
    return `start ${start} is not a multiple of ${alignment}, the smallest power of two >= end - start`;
  }
  return null;
}

function assertSubtree(start: number, end: number): void {
  const problem = subtreeProblem(start, end);
  if (problem !== null) throw new RangeError(`invalid subtree [${start}, ${end}): ${problem}`);
}

/** Plan for the inclusion proof of leaf `index` in the subtree [start, end) (MTC draft). */
export function subtreeInclusionPlan(index: number, start: number, end: number): ProofPlan {
  assertSubtree(start, end);
  assertUint('index', index);
  if (index < start || index >= end) {
    throw new RangeError(`leaf index ${index} is outside subtree [${start}, ${end})`);
  }
  // Same shape as an inclusion proof in a tree of end - start leaves, moved right by `start`.
  const plan = inclusionPlan(index - start, end - start);
  const move = (id: NodeId): NodeId => ({ level: id.level, index: id.index + shr(start, id.level) });
  return {
    nodes: plan.nodes.map(move),
    ephemeral: plan.ephemeral && { ...plan.ephemeral, id: move(plan.ephemeral.id) },
  };
}

/**
 * Plan for the consistency proof between the subtree [start, end) and the tree of `size` leaves
 * (Merkle Tree Certificates draft). With start = 0 this is exactly the RFC 9162 consistency proof.
 */
export function subtreeConsistencyPlan(start: number, end: number, size: number): ProofPlan {
  assertSubtree(start, end);
  assertUint('size', size);
  if (end > size) throw new RangeError(`subtree end ${end} is beyond tree size ${size}`);
  if (start === end || (start === 0 && end === size)) return EMPTY_PLAN;
  if (end === size) {
    // The subtree is the right edge of the tree: prove its lowest covering node directly.
    const level = bitLength(xor(end - 1, start));
    return siblingPath({ level, index: shr(start, level) }, size, []);
  }
  // Anchor on the subtree's last perfect node; the verifier rebuilds both roots from it. When the
  // subtree itself is perfect the verifier already knows that node, so it is not sent.
  const level = trailingZeros(end - start);
  const anchor: NodeId = { level, index: shr(end - 1, level) };
  return siblingPath(anchor, size, isPowerOfTwo(end - start) ? [] : [anchor]);
}

/**
 * Appends to `prefix` the siblings of every node on the path from `node` to the root of a tree of
 * `size` leaves, bottom-up. Levels where the sibling would be entirely beyond `size` contribute
 * nothing (RFC 6962 promotes a lone left child unchanged).
 */
function siblingPath(node: NodeId, size: number, prefix: NodeId[]): ProofPlan {
  const nodes = prefix;
  let ephemeral: EphemeralNode | null = null;
  const rootLevel = bitLength(size - 1);
  let index = node.index;
  for (let level = node.level; level < rootLevel; level++, index = shr(index, 1)) {
    const sibling = isOdd(index) ? index - 1 : index + 1;
    const begin = shl(sibling, level);
    if (begin >= size) continue;
    if (begin + 2 ** level <= size) {
      nodes.push({ level, index: sibling });
      continue;
    }
    // A right sibling cut by the tree's edge. Only the path's divergence from the right edge can
    // produce one, so this happens at most once per path.
    const cover = rangeNodes(begin, size);
    if (cover.length > 1) {
      ephemeral = { id: { level, index: sibling }, start: nodes.length, end: nodes.length + cover.length };
    }
    nodes.push(...cover);
  }
  return { nodes, ephemeral };
}

/** Number of hashes in the proof a plan produces. */
export function proofLength(plan: ProofPlan): number {
  const e = plan.ephemeral;
  return plan.nodes.length - (e === null ? 0 : e.end - e.start - 1);
}

/**
 * Turns the hashes of `plan.nodes` (same order) into the proof, rehashing the ephemeral node if
 * there is one. Throws if the count or a hash size is wrong: that is a storage bug, not bad input.
 */
export function buildProof(plan: ProofPlan, hashes: readonly Uint8Array[]): Uint8Array[] {
  if (hashes.length !== plan.nodes.length) {
    throw new RangeError(`proof plan needs ${plan.nodes.length} node hashes, got ${hashes.length}`);
  }
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      const { level, index } = plan.nodes[i];
      throw new RangeError(`hash of node (level ${level}, index ${index}) has ${h.length} bytes, want ${HASH_SIZE}`);
    }
  });
  const e = plan.ephemeral;
  if (e === null) return hashes.slice();
  return [...hashes.slice(0, e.start), foldRight(hashes.slice(e.start, e.end)), ...hashes.slice(e.end)];
}
