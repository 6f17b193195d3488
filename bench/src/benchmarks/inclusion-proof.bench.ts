// Figure 6: inclusion proof generation + verification at log sizes 1 k, 1 M, 10 M, with libs/merkle over a store of
// perfect nodes held in memory (one buffer per level), so the figure is the proof code, not a database.
import { randomInt } from 'node:crypto';
import {
  HASH_SIZE,
  InMemoryTree,
  bytesEqual,
  fetchProof,
  fetchRoot,
  hashChildren,
  hashLeaf,
  inclusionPlan,
  verifyInclusion,
  type NodeId,
  type NodeReader,
} from '#evx/merkle';
import type { Benchmark, BenchContext } from '../bench.context.js';
import { measured, type FigureRow } from '../figure.js';
import { round, summarise } from '../stats.js';

const TARGET_MS = 2;

/** The bytes of leaf i: 8 bytes of its index, so a leaf hash is cheap to recompute for level 0 reads. */
function leafBytes(i: number): Uint8Array {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(i / 2 ** 32), 0);
  b.writeUInt32BE(i >>> 0, 4);
  return b;
}

/**
 * Every perfect node of a tree of `size` leaves: level l >= 1 in one buffer of floor(size / 2^l) hashes; level 0
 * (the leaf hashes) is recomputed on read, which halves the memory at 10 M leaves (320 MiB instead of 640).
 */
class PerfectNodeStore implements NodeReader {
  private readonly levels: Buffer[] = [];

  constructor(readonly size: number) {
    let below = (i: number): Uint8Array => hashLeaf(leafBytes(i));
    for (let level = 1; Math.floor(size / 2 ** level) > 0; level++) {
      const count = Math.floor(size / 2 ** level);
      const buffer = Buffer.allocUnsafe(count * HASH_SIZE);
      for (let i = 0; i < count; i++) buffer.set(hashChildren(below(2 * i), below(2 * i + 1)), i * HASH_SIZE);
      this.levels[level] = buffer;
      below = (i) => buffer.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    }
  }

  leafHash(index: number): Uint8Array {
    return hashLeaf(leafBytes(index));
  }

  getNodes(ids: readonly NodeId[]): Uint8Array[] {
    return ids.map(({ level, index }) => {
      if (level === 0) {
        if (index >= this.size) throw new RangeError(`leaf ${index} is beyond ${this.size}`);
        return this.leafHash(index);
      }
      const buffer = this.levels[level];
      if (!buffer || (index + 1) * HASH_SIZE > buffer.length) throw new RangeError(`node ${level}/${index} is missing`);
      return buffer.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    });
  }
}

interface SizeResult {
  size: number;
  label: string;
  buildMs: number;
  perProofMs: number;
  p50: number;
  p99: number;
  hashes: number;
}

async function measureSize(size: number, label: string, proofs: number, context: BenchContext): Promise<SizeResult> {
  const t0 = performance.now();
  const store = new PerfectNodeStore(size);
  const buildMs = performance.now() - t0;
  const root = await fetchRoot(store, size);
  if (size <= 100_000) {
    // The store must be the tree the library itself builds, or the proofs would prove nothing.
    const reference = new InMemoryTree();
    for (let i = 0; i < size; i++) reference.append(leafBytes(i));
    if (!bytesEqual(reference.root(), root)) throw new Error(`store root differs from InMemoryTree at size ${size}`);
  }
  const indexes = Array.from({ length: proofs }, () => randomInt(0, size));
  // Warm-up: JIT and the first touches of each level's pages are not what the figure is about.
  for (const index of indexes.slice(0, Math.min(200, proofs))) await proveAndVerify(store, index, size, root);
  const latencies: number[] = [];
  let hashes = 0;
  const started = performance.now();
  for (const index of indexes) {
    const t = performance.now();
    hashes += await proveAndVerify(store, index, size, root);
    latencies.push(performance.now() - t);
  }
  const perProofMs = (performance.now() - started) / proofs;
  const summary = summarise(latencies);
  context.log(`proof ${label}: built in ${round(buildMs, 0)} ms, ${round(perProofMs * 1000, 1)} µs per proof`);
  return { size, label, buildMs, perProofMs, p50: summary.p50, p99: summary.p99, hashes: hashes / proofs };
}

async function proveAndVerify(store: PerfectNodeStore, index: number, size: number, root: Uint8Array): Promise<number> {
  const proof = await fetchProof(store, inclusionPlan(index, size));
  verifyInclusion(store.leafHash(index), index, size, proof, root);
  return proof.length;
}

export const inclusionProofBenchmark: Benchmark = {
  name: 'proof',
  description: 'inclusion proof generation + verification at 1 k, 1 M, 10 M leaves (libs/merkle, in-memory nodes)',
  async run(context) {
    const quick = context.options.quick;
    const sizes: Array<[number, string]> = quick
      ? [
          [1_000, '1k'],
          [100_000, '100k'],
          [1_000_000, '1M'],
        ]
      : [
          [1_000, '1k'],
          [1_000_000, '1M'],
          [10_000_000, '10M'],
        ];
    const proofs = quick ? 2_000 : 20_000;
    const results: SizeResult[] = [];
    for (const [size, label] of sizes) results.push(await measureSize(size, label, proofs, context));
    const largest = results[results.length - 1] as SizeResult;
    const smallest = results[0] as SizeResult;
    const rows: FigureRow[] = results.map((r) =>
      measured({
        figure: `proof.${r.label}`,
        title: `inclusion proof generate + verify, log of ${r.size.toLocaleString('en')} leaves`,
        value: round(r.perProofMs * 1000, 2),
        unit: 'µs/proof',
        target: r === largest && !quick ? `<= ${TARGET_MS} ms per proof` : '—',
        met: r === largest && !quick ? r.perProofMs <= TARGET_MS : null,
        details: {
          size: r.size,
          proofs,
          proof_hashes_mean: round(r.hashes, 2),
          p50_us: round(r.p50 * 1000, 2),
          p99_us: round(r.p99 * 1000, 2),
          build_ms: round(r.buildMs, 0),
        },
      }),
    );
    // O(log n): the cost per proof hash stays flat while the number of hashes grows with log2(n). Compared on the
    // medians: on a shared machine the means carry other processes' and the collector's pauses.
    rows.push(
      measured({
        figure: 'proof.growth',
        title: `median proof cost growth ${smallest.label} -> ${largest.label} (baseline: growth of the proof length, log2 n)`,
        value: round(largest.p50 / smallest.p50, 2),
        unit: '×',
        baseline: {
          name: `proof hashes ${largest.label} / ${smallest.label}`,
          value: round(largest.hashes / smallest.hashes, 2),
          unit: '×',
        },
        target: 'cost per proof hash <= 2× (O(log n))',
        met: largest.p50 / largest.hashes <= 2 * (smallest.p50 / smallest.hashes),
        details: {
          p50_us_per_hash_small: round((smallest.p50 * 1000) / smallest.hashes, 3),
          p50_us_per_hash_large: round((largest.p50 * 1000) / largest.hashes, 3),
        },
      }),
    );
    return rows;
  },
};
