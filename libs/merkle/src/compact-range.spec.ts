import { CompactRange } from './compact-range.js';
import { InMemoryTree } from './in-memory-tree.js';
import { frontierNodes, nodeRange, type NodeHash } from './node-id.util.js';
import { emptyRoot, hashLeaf } from './rfc6962.hasher.js';

const MAX = 200;
const leafHashes = Array.from({ length: MAX }, (_, i) => hashLeaf(Uint8Array.of(i, 0x42)));
const tree = new InMemoryTree();
for (const h of leafHashes) tree.appendHash(h);

const key = (n: { level: number; index: number }): string => `${n.level}:${n.index}`;

describe('CompactRange', () => {
  it('an empty range has the empty root', () => {
    const range = new CompactRange();
    expect(range.size).toBe(0);
    expect(range.root()).toEqual(emptyRoot());
    expect(range.frontierHashes()).toEqual([]);
  });

  it('roots equal the in-memory tree for every size 0..200', () => {
    const range = new CompactRange();
    expect(range.root()).toEqual(tree.root(0));
    leafHashes.forEach((h, i) => {
      range.append(h);
      expect([i + 1, Buffer.from(range.root()).toString('hex')]).toEqual([
        i + 1,
        Buffer.from(tree.root(i + 1)).toString('hex'),
      ]);
    });
  });

  it('reports exactly the perfect subtrees, each once, when they complete', () => {
    const range = new CompactRange();
    const seen = new Map<string, NodeHash>();
    leafHashes.forEach((h, i) => {
      const size = i + 1;
      const completed = range.append(h);
      // A node completes when the leaf filling its last slot arrives: its range ends at `size`.
      const levels = completed.map((n) => n.level);
      expect(levels).toEqual(Array.from({ length: levels.length }, (_, l) => l));
      for (const node of completed) {
        expect(nodeRange(node).end).toBe(size);
        expect(seen.has(key(node))).toBe(false);
        seen.set(key(node), node);
        expect(node.hash).toEqual(tree.getNodes([node])[0]);
      }
      // ...and every node whose range ends at `size` is reported.
      let expected = 0;
      while (size % 2 ** (expected + 1) === 0) expected++;
      expect(completed).toHaveLength(expected + 1);
    });
    // Union over all appends = all perfect nodes of the final tree.
    let perfect = 0;
    for (let level = 0; 2 ** level <= MAX; level++) perfect += Math.floor(MAX / 2 ** level);
    expect(seen.size).toBe(perfect);
  });

  it('appendAll is the same as appending one by one', () => {
    const one = new CompactRange();
    const each = leafHashes.flatMap((h) => one.append(h));
    const all = new CompactRange();
    expect(all.appendAll(leafHashes)).toEqual(each);
    expect(all.root()).toEqual(one.root());
  });

  it('resumes from stored frontier hashes at any size', () => {
    for (let size = 0; size <= 70; size++) {
      const resumed = CompactRange.fromFrontier(size, tree.getNodes(frontierNodes(size)));
      expect(resumed.size).toBe(size);
      expect(resumed.root()).toEqual(tree.root(size));
      expect(resumed.frontierHashes()).toEqual(tree.getNodes(frontierNodes(size)));
      resumed.appendAll(leafHashes.slice(size, size + 9));
      expect(resumed.root()).toEqual(tree.root(size + 9));
    }
  });

  it('rejects malformed input', () => {
    expect(() => new CompactRange().append(new Uint8Array(31))).toThrow(/31 bytes/);
    expect(() => CompactRange.fromFrontier(3, [leafHashes[0]])).toThrow(/2 frontier hashes, got 1/);
    expect(() => CompactRange.fromFrontier(1, [new Uint8Array(0)])).toThrow(/0 bytes/);
    expect(() => CompactRange.fromFrontier(-1, [])).toThrow(RangeError);
    expect(() => CompactRange.fromFrontier(2 ** 53, [])).toThrow(RangeError);
  });
});
