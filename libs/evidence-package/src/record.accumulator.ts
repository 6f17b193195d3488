// The two structures over a package's records (docs/package-format.md §4): the hash chain, which orders every
// record, and the RFC 6962 Merkle tree, which lets one record be proven without the others. Both are computed in
// one pass with O(log n) memory, so the builder, the verifier and the vault can stream any number of records.
import { CompactRange, hashLeaf } from '#evx/merkle';
import { sha256 } from './canonical.util.js';

/** h_0: the chain head of a package with no records. */
export const CHAIN_START: Uint8Array = new Uint8Array(32);

/** H(record): SHA-256 of the record's canonical bytes (its metadata document). */
export function recordHash(recordBytes: Uint8Array): Uint8Array {
  return sha256(recordBytes);
}

/** h_i = SHA-256(h_{i-1} || H(record_i)). */
export function nextChainHash(previous: Uint8Array, recordBytes: Uint8Array): Uint8Array {
  return sha256(previous, recordHash(recordBytes));
}

export class RecordAccumulator {
  private head: Uint8Array = CHAIN_START;
  private readonly range = new CompactRange();

  /** Adds the next record (its canonical metadata bytes); returns the new chain value h_i. */
  add(recordBytes: Uint8Array): Uint8Array {
    this.head = nextChainHash(this.head, recordBytes);
    this.range.append(hashLeaf(recordBytes));
    return this.head;
  }

  get count(): number {
    return this.range.size;
  }

  get chainHead(): Uint8Array {
    return this.head;
  }

  /** RFC 6962 root over the records so far; SHA-256("") for none. */
  get merkleRoot(): Uint8Array {
    return this.range.root();
  }
}
