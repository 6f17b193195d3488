import { jest } from '@jest/globals';
import { InMemoryTree } from './in-memory-tree.js';
import { fetchProof, fetchRoot, type NodeReader } from './node-reader.js';
import { nodeRange, type NodeId } from './node-id.util.js';
import {
  buildProof,
  consistencyPlan,
  inclusionPlan,
  proofLength,
  subtreeConsistencyPlan,
  type ProofPlan,
} from './proof.planner.js';
import { consistencyProofLength, inclusionProofLength } from './proof.verifier.js';

const ids = (plan: ProofPlan): string[] => plan.nodes.map((n) => `${n.level}:${n.index}`);

/** Asserts the ranges of `nodes` tile [0, size) exactly, with every node perfect. */
function expectPartition(nodes: readonly NodeId[], size: number): void {
  const ranges = nodes.map(nodeRange).sort((a, b) => a.begin - b.begin);
  let next = 0;
  for (const r of ranges) {
    expect(r.begin).toBe(next);
    expect(r.end).toBeLessThanOrEqual(size);
    next = r.end;
  }
  expect(next).toBe(size);
}

function expectEphemeralCover(plan: ProofPlan, size: number): void {
  const e = plan.ephemeral;
  if (e === null) return;
  expect(e.end - e.start).toBeGreaterThanOrEqual(2);
  const { begin, end } = nodeRange(e.id);
  expect(end).toBeGreaterThan(size); // cut by the tree's edge, hence not stored
  const cover = plan.nodes.slice(e.start, e.end).map(nodeRange);
  expect(cover[0].begin).toBe(begin);
  expect(cover[cover.length - 1].end).toBe(size);
  cover.slice(1).forEach((r, i) => expect(r.begin).toBe(cover[i].end));
}

const HUGE = [10_000_000, 2 ** 31 + 3, 2 ** 32 - 1, 2 ** 32 + 1, 2 ** 40 + 12345, 2 ** 52 + 7, Number.MAX_SAFE_INTEGER];

describe('proof plans', () => {
  it('match the RFC 9162 examples (7 leaves a..g: d6 is leaf 6)', () => {
    // §2.1.5: inclusion of leaf 0 in the 7-leaf tree is [b, h, l]; l = hash(i, j) is ephemeral.
    expect(ids(inclusionPlan(0, 7))).toEqual(['0:1', '1:1', '1:2', '0:6']);
    expect(inclusionPlan(0, 7).ephemeral).toEqual({ id: { level: 2, index: 1 }, start: 2, end: 4 });
    // Consistency: 3 -> 7 is [c, d, g, l]; 4 -> 7 is [l]; 6 -> 7 is [i, j, k].
    expect(ids(consistencyPlan(3, 7))).toEqual(['0:2', '0:3', '1:0', '1:2', '0:6']);
    expect(consistencyPlan(3, 7).ephemeral).toEqual({ id: { level: 2, index: 1 }, start: 3, end: 5 });
    expect(ids(consistencyPlan(4, 7))).toEqual(['1:2', '0:6']);
    expect(ids(consistencyPlan(6, 7))).toEqual(['1:2', '0:6', '2:0']);
    expect(consistencyPlan(6, 7).ephemeral).toBeNull();
    expect(ids(consistencyPlan(7, 7))).toEqual([]);
  });

  it('reject bad arguments with RangeError', () => {
    expect(() => inclusionPlan(5, 5)).toThrow(RangeError);
    expect(() => inclusionPlan(0, 0)).toThrow(RangeError);
    expect(() => inclusionPlan(-1, 5)).toThrow(RangeError);
    expect(() => inclusionPlan(1.5, 5)).toThrow(RangeError);
    expect(() => inclusionPlan(0, 2 ** 53)).toThrow(RangeError);
    expect(() => consistencyPlan(0, 5)).toThrow(/empty tree/);
    expect(() => consistencyPlan(6, 5)).toThrow(RangeError);
    expect(() => subtreeConsistencyPlan(3, 5, 8)).toThrow(/invalid subtree/);
    expect(() => subtreeConsistencyPlan(0, 9, 8)).toThrow(RangeError);
  });

  it.each(HUGE)('inclusion plans at size %d read O(log n) perfect nodes that tile the tree', (size) => {
    for (const index of [0, 1, Math.floor(size / 3), size - 2, size - 1]) {
      const plan = inclusionPlan(index, size);
      expect(plan.nodes.length).toBeLessThanOrEqual(2 * 53);
      expectPartition([...plan.nodes, { level: 0, index }], size);
      expectEphemeralCover(plan, size);
      expect(proofLength(plan)).toBe(inclusionProofLength(index, size));
    }
  });

  it.each(HUGE)('consistency plans to size %d tile the tree together with the old tree anchor', (size) => {
    for (const size1 of [1, 2, 3, 1000, Math.floor(size / 2) + 1, size - 1]) {
      const plan = consistencyPlan(size1, size);
      // The anchor is the old tree's last perfect node; it is sent unless it is the whole old tree.
      const level = trailingZerosOf(size1);
      const anchor = { level, index: Math.floor((size1 - 1) / 2 ** level) };
      const sent = plan.nodes.length > 0 && plan.nodes[0].level === level && plan.nodes[0].index === anchor.index;
      expect(sent).toBe(size1 !== 2 ** level);
      expectPartition([anchor, ...(sent ? plan.nodes.slice(1) : plan.nodes)], size);
      expectEphemeralCover(plan, size);
      expect(proofLength(plan)).toBe(consistencyProofLength(size1, size));
    }
  });
});

function trailingZerosOf(x: number): number {
  let k = 0;
  while (x % 2 === 0) {
    x /= 2;
    k++;
  }
  return k;
}

describe('buildProof', () => {
  const h = (b: number): Uint8Array => new Uint8Array(32).fill(b);

  it('rejects a wrong number of hashes or a wrong hash size', () => {
    const plan = inclusionPlan(0, 7);
    expect(() => buildProof(plan, [h(1), h(2), h(3)])).toThrow(/needs 4 node hashes, got 3/);
    expect(() => buildProof(plan, [h(1), h(2), h(3), new Uint8Array(31)])).toThrow(/level 0, index 6.*31 bytes/);
  });

  it('folds the ephemeral node and keeps the others in order', () => {
    const proof = buildProof(inclusionPlan(0, 7), [h(1), h(2), h(3), h(4)]);
    expect(proof).toHaveLength(3);
    expect(proof.slice(0, 2)).toEqual([h(1), h(2)]);
    expect(proof[2]).not.toEqual(h(3));
  });
});

describe('fetching through a NodeReader', () => {
  const tree = InMemoryTree.fromLeaves(Array.from({ length: 45 }, (_, i) => Uint8Array.of(i)));

  it('an async reader yields the same proofs and roots with one batched read each', async () => {
    const getNodes = jest.fn(async (wanted: readonly NodeId[]) => tree.getNodes(wanted));
    const reader: NodeReader = { getNodes };
    for (let size = 1; size <= 45; size++) {
      for (let index = 0; index < size; index++) {
        getNodes.mockClear();
        const plan = inclusionPlan(index, size);
        expect(await fetchProof(reader, plan)).toEqual(tree.inclusionProof(index, size));
        expect(getNodes).toHaveBeenCalledTimes(plan.nodes.length === 0 ? 0 : 1);
      }
      for (let size1 = 1; size1 <= size; size1++) {
        expect(await fetchProof(reader, consistencyPlan(size1, size))).toEqual(tree.consistencyProof(size1, size));
      }
      expect(await fetchRoot(reader, size)).toEqual(tree.root(size));
    }
    expect(await fetchRoot(reader, 0)).toEqual(tree.root(0));
  });

  it('a synchronous reader works too, and a short read is an error', async () => {
    expect(await fetchProof(tree, inclusionPlan(3, 10))).toEqual(tree.inclusionProof(3, 10));
    const short: NodeReader = { getNodes: (wanted) => tree.getNodes(wanted).slice(1) };
    await expect(fetchProof(short, inclusionPlan(3, 10))).rejects.toThrow(RangeError);
    await expect(fetchRoot(short, 10)).rejects.toThrow(RangeError);
  });
});
