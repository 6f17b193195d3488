// The append side of a log: a compact range [0, size) keeps one hash per set bit of `size` (the
// frontier), so appending is amortised O(1) hashes and the root is O(log n).
import { frontierNodes, foldRight, type NodeHash } from './node-id.util.js';
import { emptyRoot, HASH_SIZE, hashChildren } from './rfc6962.hasher.js';
import { assertUint, isOdd } from './tree-math.util.js';

function requireHash(what: string, hash: Uint8Array): void {
  if (hash.length !== HASH_SIZE) throw new RangeError(`${what} has ${hash.length} bytes, want ${HASH_SIZE}`);
}

/**
 * Appends leaf hashes one at a time and reports every perfect node each append completes, so a
 * log can persist exactly the nodes proofs will later read. Hashes are kept by reference: callers
 * must not mutate arrays they pass in or receive.
 */
export class CompactRange {
  private count = 0;
  /** Frontier hashes, left to right (levels decreasing), one per set bit of `count`. */
  private readonly frontier: Uint8Array[] = [];

  /**
   * Resumes a range of `size` leaves from the hashes of `frontierNodes(size)`, left to right, as
   * read back from storage.
   */
  static fromFrontier(size: number, hashes: readonly Uint8Array[]): CompactRange {
    assertUint('size', size);
    const want = frontierNodes(size).length;
    if (hashes.length !== want) {
      throw new RangeError(`a range of size ${size} has ${want} frontier hashes, got ${hashes.length}`);
    }
    hashes.forEach((h, i) => requireHash(`frontier hash #${i}`, h));
    const range = new CompactRange();
    range.count = size;
    range.frontier.push(...hashes);
    return range;
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.count;
  }

  /** The current frontier hashes, left to right, matching `frontierNodes(size)`. */
  frontierHashes(): Uint8Array[] {
    return this.frontier.slice();
  }

  /**
   * Appends one leaf hash and returns the perfect nodes it completed, bottom-up: the leaf itself
   * (level 0) and every ancestor whose subtree it filled.
   */
  append(leafHash: Uint8Array): NodeHash[] {
    requireHash('leaf hash', leafHash);
    if (this.count >= Number.MAX_SAFE_INTEGER) throw new RangeError('compact range is full');
    let index = this.count;
    let level = 0;
    let hash = leafHash;
    const completed: NodeHash[] = [{ level, index, hash }];
    // Each trailing 1 bit of the old size is a left sibling waiting for this subtree.
    while (isOdd(index)) {
      hash = hashChildren(this.frontier.pop() as Uint8Array, hash);
      index = (index - 1) / 2;
      level++;
      completed.push({ level, index, hash });
    }
    this.frontier.push(hash);
    this.count++;
    return completed;
  }

  /** Appends several leaf hashes; returns all completed nodes in completion order. */
  appendAll(leafHashes: Iterable<Uint8Array>): NodeHash[] {
    const completed: NodeHash[] = [];
    for (const h of leafHashes) for (const node of this.append(h)) completed.push(node);
    return completed;
  }

  /** RFC 9162 root of the leaves appended so far (SHA-256("") when empty). */
  root(): Uint8Array {
    return this.frontier.length === 0 ? emptyRoot() : foldRight(this.frontier);
  }
}
