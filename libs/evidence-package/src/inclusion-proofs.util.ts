// Inclusion proofs for a few chosen leaves, computed in one streaming pass over all leaves: only the perfect nodes
// the proofs need are kept (O(k log n) hashes), using the same proof plans a database-backed log uses.
import { buildProof, CompactRange, inclusionPlan, type NodeId, type ProofPlan } from '#evx/merkle';

const key = (node: NodeId): string => `${node.level}/${node.index}`;

export class InclusionProofCollector {
  private readonly range = new CompactRange();
  private readonly plans: Map<number, ProofPlan>;
  private readonly kept = new Map<string, Uint8Array | undefined>();

  /** `indexes` are 0-based leaf indexes below `size`. */
  constructor(
    indexes: readonly number[],
    private readonly size: number,
  ) {
    this.plans = new Map(indexes.map((index) => [index, inclusionPlan(index, size)]));
    for (const plan of this.plans.values()) for (const node of plan.nodes) this.kept.set(key(node), undefined);
  }

  /** Appends the next leaf hash. */
  append(leafHash: Uint8Array): void {
    if (this.range.size >= this.size) throw new RangeError(`more than the announced ${this.size} leaves`);
    for (const node of this.range.append(leafHash)) {
      if (this.kept.has(key(node))) this.kept.set(key(node), node.hash);
    }
  }

  root(): Uint8Array {
    return this.range.root();
  }

  /** The proof of each chosen leaf, sibling first; call after all `size` leaves were appended. */
  proofs(): Map<number, Uint8Array[]> {
    if (this.range.size !== this.size) throw new RangeError(`${this.range.size} of ${this.size} leaves appended`);
    const proofs = new Map<number, Uint8Array[]>();
    for (const [index, plan] of this.plans) {
      proofs.set(
        index,
        buildProof(
          plan,
          plan.nodes.map((node) => this.kept.get(key(node)) as Uint8Array),
        ),
      );
    }
    return proofs;
  }
}
