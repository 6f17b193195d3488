// A whole tree held in memory, for tests and small callers. It serves proofs through the same
// plans a database-backed log uses, so it also exercises that path.
import { foldRight, frontierNodes, rangeNodes, type NodeId } from './node-id.util.js';
import type { NodeReader } from './node-reader.js';
import {
  buildProof,
  consistencyPlan,
  inclusionPlan,
  subtreeConsistencyPlan,
  subtreeInclusionPlan,
  subtreeProblem,
  type ProofPlan,
} from './proof.planner.js';
import { emptyRoot, HASH_SIZE, hashChildren, hashLeaf } from './rfc6962.hasher.js';
import { assertUint, isOdd } from './tree-math.util.js';

export class InMemoryTree implements NodeReader {
  /** levels[l][i] is the hash of perfect node (l, i); only perfect nodes exist. */
  private readonly levels: Uint8Array[][] = [[]];

  /** Builds a tree from raw leaf data. */
  static fromLeaves(leaves: Iterable<Uint8Array>): InMemoryTree {
    const tree = new InMemoryTree();
    for (const leaf of leaves) tree.append(leaf);
    return tree;
  }

  get size(): number {
    return this.levels[0].length;
  }

  /** Appends raw leaf data (hashed with hashLeaf). */
  append(data: Uint8Array): void {
    this.appendHash(hashLeaf(data));
  }

  /** Appends an already computed leaf hash. */
  appendHash(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_SIZE) {
      throw new RangeError(`leaf hash has ${leafHash.length} bytes, want ${HASH_SIZE}`);
    }
    let hash = leafHash;
    for (let level = 0; ; level++) {
      const row = (this.levels[level] ??= []);
      row.push(hash);
      if (isOdd(row.length)) return;
      hash = hashChildren(row[row.length - 2], hash);
    }
  }

  /** Hash of leaf `index`. */
  leafHash(index: number): Uint8Array {
    return this.getNodes([{ level: 0, index }])[0];
  }

  /** NodeReader: hashes of perfect nodes; throws for nodes that are not (yet) complete. */
  getNodes(ids: readonly NodeId[]): Uint8Array[] {
    return ids.map(({ level, index }) => {
      const hash = this.levels[level]?.[index];
      if (hash === undefined) {
        throw new RangeError(`node (level ${level}, index ${index}) is not a complete subtree of this tree`);
      }
      return hash;
    });
  }

  /** Root of the tree's first `size` leaves (default: all of them). */
  root(size: number = this.size): Uint8Array {
    this.checkSize('size', size);
    return size === 0 ? emptyRoot() : foldRight(this.getNodes(frontierNodes(size)));
  }

  /** Root of the subtree [start, end) (see subtreeProblem); SHA-256("") when empty. */
  subtreeRoot(start: number, end: number): Uint8Array {
    const problem = subtreeProblem(start, end);
    if (problem !== null) throw new RangeError(`invalid subtree [${start}, ${end}): ${problem}`);
    this.checkSize('end', end);
    // A valid subtree is the left part of one node, so its cover folds like a whole tree's.
    return start === end ? emptyRoot() : foldRight(this.getNodes(rangeNodes(start, end)));
  }

  /** Inclusion proof for leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.checkSize('size', size);
    return this.prove(inclusionPlan(index, size));
  }

  /** Consistency proof between sizes 0 < size1 <= size2. */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    this.checkSize('size2', size2);
    return this.prove(consistencyPlan(size1, size2));
  }

  /** Inclusion proof for leaf `index` in subtree [start, end). */
  subtreeInclusionProof(index: number, start: number, end: number): Uint8Array[] {
    this.checkSize('end', end);
    return this.prove(subtreeInclusionPlan(index, start, end));
  }

  /** Consistency proof between subtree [start, end) and the tree of `size` leaves. */
  subtreeConsistencyProof(start: number, end: number, size: number = this.size): Uint8Array[] {
    this.checkSize('size', size);
    return this.prove(subtreeConsistencyPlan(start, end, size));
  }

  private prove(plan: ProofPlan): Uint8Array[] {
    return buildProof(plan, this.getNodes(plan.nodes));
  }

  private checkSize(name: string, size: number): void {
    assertUint(name, size);
    if (size > this.size) throw new RangeError(`${name} ${size} is beyond the tree size ${this.size}`);
  }
}
