// The running hash chain and Merkle frontier of an open package, as stored in its row: exactly the functions of
// #evx/evidence-package (docs/package-format.md §4), advanced one record at a time.
import { nextChainHash } from '#evx/evidence-package';
import { CompactRange, hashLeaf } from '#evx/merkle';

export class PackageChain {
  private constructor(
    private head: Uint8Array,
    private readonly range: CompactRange,
  ) {}

  static fromStored(count: number, chainHeadHex: string, frontier: string): PackageChain {
    const hashes = frontier === '' ? [] : frontier.split(',').map((h) => Buffer.from(h, 'hex'));
    return new PackageChain(Buffer.from(chainHeadHex, 'hex'), CompactRange.fromFrontier(count, hashes));
  }

  static empty(): PackageChain {
    return new PackageChain(new Uint8Array(32), new CompactRange());
  }

  /** The chain and tree after one more record (its canonical metadata bytes); this one is unchanged. */
  with(recordBytes: Uint8Array): PackageChain {
    const range = CompactRange.fromFrontier(this.range.size, this.range.frontierHashes());
    range.append(hashLeaf(recordBytes));
    return new PackageChain(nextChainHash(this.head, recordBytes), range);
  }

  get count(): number {
    return this.range.size;
  }

  get chainHead(): Uint8Array {
    return this.head;
  }

  get merkleRoot(): Uint8Array {
    return this.range.root();
  }

  get stored(): { chainHead: string; merkleFrontier: string } {
    return {
      chainHead: Buffer.from(this.head).toString('hex'),
      merkleFrontier: this.range
        .frontierHashes()
        .map((h) => Buffer.from(h).toString('hex'))
        .join(','),
    };
  }
}
