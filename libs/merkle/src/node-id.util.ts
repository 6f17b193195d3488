// Node addressing shared by the planner, the compact range and storage back ends.
import { hashChildren } from './rfc6962.hasher.js';
import { assertUint, bitLength, shl, shr, trailingZeros } from './tree-math.util.js';

/**
 * A node of the perfect binary tree laid over the log: level 0 holds leaves, and node
 * (level, index) covers leaves [index << level, (index + 1) << level). Only nodes whose whole
 * range is populated ("perfect" nodes) have a stable hash, so only those are ever stored.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A perfect node together with its hash, as reported by CompactRange and stored by logs. */
export interface NodeHash extends NodeId {
  readonly hash: Uint8Array;
}

/** The leaf range [begin, end) covered by a node. */
export function nodeRange(id: NodeId): { readonly begin: number; readonly end: number } {
  const begin = shl(id.index, id.level);
  return { begin, end: begin + 2 ** id.level };
}

/**
 * The minimal list of perfect nodes covering leaves [begin, end), left to right. For begin = 0
 * this is the "frontier" of a tree of size `end`: one node per set bit of `end`, levels
 * decreasing.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  assertUint('begin', begin);
  assertUint('end', end);
  if (begin > end) throw new RangeError(`range [${begin}, ${end}) is inverted`);
  const out: NodeId[] = [];
  while (begin < end) {
    // Largest node that starts at `begin` (alignment) and still fits before `end`.
    let level = bitLength(end - begin) - 1;
    if (begin > 0) level = Math.min(level, trailingZeros(begin));
    out.push({ level, index: shr(begin, level) });
    begin += 2 ** level;
  }
  return out;
}

/** The perfect nodes whose hashes determine the root of a tree of the given size. */
export function frontierNodes(size: number): NodeId[] {
  return rangeNodes(0, size);
}

/**
 * Folds the hashes of the nodes covering a right-edge range (as listed by `frontierNodes`, left to
 * right) into the RFC 6962 hash of that range: every split is "largest power of two first", so
 * the fold nests to the right. Requires at least one hash.
 */
export function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) throw new RangeError('cannot fold an empty list of hashes');
  let acc = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) acc = hashChildren(hashes[i], acc);
  return acc;
}
