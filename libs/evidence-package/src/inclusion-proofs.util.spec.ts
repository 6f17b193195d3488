import { hashLeaf, InMemoryTree } from '#evx/merkle';
import { InclusionProofCollector } from './inclusion-proofs.util.js';

const leaf = (i: number): Uint8Array => Buffer.from(`leaf ${i}`);

describe('InclusionProofCollector', () => {
  it.each([1, 2, 3, 5, 8, 13, 31, 32, 33, 64, 100])(
    'matches the in-memory tree for every leaf of a tree of %i',
    (size) => {
      const tree = InMemoryTree.fromLeaves(Array.from({ length: size }, (_, i) => leaf(i)));
      const indexes = Array.from({ length: size }, (_, i) => i);
      const collector = new InclusionProofCollector(indexes, size);
      for (let i = 0; i < size; i++) collector.append(hashLeaf(leaf(i)));
      expect(collector.root()).toEqual(tree.root());
      const proofs = collector.proofs();
      for (const index of indexes) expect(proofs.get(index)).toEqual(tree.inclusionProof(index, size));
    },
  );

  it('refuses more leaves than announced and proofs before the last leaf', () => {
    const collector = new InclusionProofCollector([0], 2);
    collector.append(hashLeaf(leaf(0)));
    expect(() => collector.proofs()).toThrow('1 of 2 leaves appended');
    collector.append(hashLeaf(leaf(1)));
    expect(() => collector.append(hashLeaf(leaf(2)))).toThrow('more than the announced 2 leaves');
  });
});
