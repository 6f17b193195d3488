import { InMemoryTree } from './in-memory-tree.js';
import { emptyRoot, hashChildren, hashLeaf } from './rfc6962.hasher.js';

describe('InMemoryTree', () => {
  const leaves = ['a', 'b', 'c', 'd', 'e'].map((s) => new TextEncoder().encode(s));
  const tree = InMemoryTree.fromLeaves(leaves);
  const [a, b, c, d, e] = leaves.map(hashLeaf);

  it('computes roots at every size by the RFC 9162 definition', () => {
    expect(tree.size).toBe(5);
    expect(tree.root(0)).toEqual(emptyRoot());
    expect(tree.root(1)).toEqual(a);
    expect(tree.root(3)).toEqual(hashChildren(hashChildren(a, b), c));
    expect(tree.root()).toEqual(hashChildren(hashChildren(hashChildren(a, b), hashChildren(c, d)), e));
  });

  it('stores only perfect nodes', () => {
    expect(tree.getNodes([{ level: 1, index: 1 }])).toEqual([hashChildren(c, d)]);
    expect(() => tree.getNodes([{ level: 1, index: 2 }])).toThrow(/level 1, index 2/);
    expect(() => tree.getNodes([{ level: 3, index: 0 }])).toThrow(RangeError);
    expect(() => tree.getNodes([{ level: 0, index: 5 }])).toThrow(RangeError);
  });

  it('appendHash and append agree, and bad leaf hashes are refused', () => {
    const other = new InMemoryTree();
    [a, b, c, d, e].forEach((h) => other.appendHash(h));
    expect(other.root()).toEqual(tree.root());
    expect(() => other.appendHash(new Uint8Array(5))).toThrow(/5 bytes/);
    expect(other.leafHash(4)).toEqual(e);
  });

  it('refuses sizes beyond its own', () => {
    expect(() => tree.root(6)).toThrow(/beyond the tree size 5/);
    expect(() => tree.inclusionProof(0, 6)).toThrow(RangeError);
    expect(() => tree.consistencyProof(1, 6)).toThrow(RangeError);
    expect(() => tree.subtreeRoot(4, 6)).toThrow(RangeError);
    expect(() => tree.subtreeRoot(1, 3)).toThrow(/invalid subtree/);
  });

  it('returns subtree roots', () => {
    expect(tree.subtreeRoot(2, 2)).toEqual(emptyRoot());
    expect(tree.subtreeRoot(2, 4)).toEqual(hashChildren(c, d));
    expect(tree.subtreeRoot(4, 5)).toEqual(e);
    expect(tree.subtreeRoot(0, 5)).toEqual(tree.root());
  });
});
