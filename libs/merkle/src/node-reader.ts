// The storage seam: logs keep perfect node hashes (e.g. in a database) and serve proofs by
// reading the few nodes a plan names.
import { frontierNodes, foldRight, type NodeId } from './node-id.util.js';
import { buildProof, type ProofPlan } from './proof.planner.js';
import { emptyRoot } from './rfc6962.hasher.js';

/**
 * Reads stored perfect-node hashes. Must return one hash per requested ID, in the same order, and
 * throw if any is missing. May be synchronous (in-memory) or asynchronous (database).
 */
export interface NodeReader {
  getNodes(ids: readonly NodeId[]): readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
}

/** Reads the nodes named by `plan` (one batched call) and builds the proof. */
export async function fetchProof(reader: NodeReader, plan: ProofPlan): Promise<Uint8Array[]> {
  if (plan.nodes.length === 0) return [];
  return buildProof(plan, await reader.getNodes(plan.nodes));
}

/** Computes the root of the tree of `size` leaves from its O(log n) frontier nodes. */
export async function fetchRoot(reader: NodeReader, size: number): Promise<Uint8Array> {
  const ids = frontierNodes(size);
  if (ids.length === 0) return emptyRoot();
  const hashes = await reader.getNodes(ids);
  if (hashes.length !== ids.length) {
    throw new RangeError(`node reader returned ${hashes.length} hashes for ${ids.length} nodes`);
  }
  return foldRight(hashes);
}
