import {
  CompactRange,
  MerkleProofError,
  bytesEqual,
  consistencyPlan,
  fetchProof,
  frontierNodes,
  hashLeaf,
  inclusionPlan,
  toHex,
  verifyConsistency,
  type NodeHash,
} from '#evx/merkle';
import { formatTlogProof, signCheckpoint, type NoteSigner } from '#evx/tlog';
import type { LogStore, StoredCheckpoint, StoredEntry } from './log.store.js';

export interface LogEntryInput {
  kind: string;
  /** The exact leaf bytes (canonical JSON of the entry). */
  leaf: Uint8Array;
  /** Idempotency key: an entry with a key already in the log is not appended again. */
  key?: string;
}

export interface AppendResult {
  /** Leaf index of each input, in input order. */
  indexes: number[];
  /** The signed checkpoint covering them. */
  checkpoint: StoredCheckpoint;
}

export class LogIntegrityError extends Error {
  override name = 'LogIntegrityError';
}

/** An idempotency key already names a different entry: a replay must carry the same bytes. */
export class LogKeyConflictError extends Error {
  override name = 'LogKeyConflictError';
}

export interface TransparencyLogOptions {
  /** The checkpoint origin line, e.g. `evx.example/log`: names this log. */
  origin: string;
  signer: NoteSigner;
  clock?: () => number;
}

/**
 * The append-only Merkle log (RFC 6962 hashing, C2SP checkpoints). Every append sequences its entries, stores the
 * perfect nodes they complete, and signs a checkpoint for the new size in the same transaction, after proving it
 * consistent with the previous one: the log never signs two inconsistent checkpoints.
 */
export class TransparencyLog {
  private readonly clock: () => number;

  constructor(
    private readonly store: LogStore,
    private readonly options: TransparencyLogOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  get origin(): string {
    return this.options.origin;
  }

  async append(inputs: readonly LogEntryInput[]): Promise<AppendResult> {
    if (inputs.length === 0) throw new RangeError('nothing to append');
    return this.store.sequence(async (tx) => {
      const head = await tx.lockHead();
      const frontier = await tx.readNodes(frontierNodes(head.size));
      const range = CompactRange.fromFrontier(head.size, frontier);
      if (!bytesEqual(range.root(), head.rootHash)) {
        throw new LogIntegrityError(`stored nodes give root ${toHex(range.root())}, head says ${toHex(head.rootHash)}`);
      }
      const keys = inputs.flatMap((i) => (i.key ? [i.key] : []));
      const existing =
        keys.length > 0 ? await tx.findByKeys(keys) : new Map<string, { seq: number; leafHash: Uint8Array }>();
      const now = this.clock();
      const indexes: number[] = [];
      const entries: StoredEntry[] = [];
      const seenInBatch = new Map<string, { seq: number; leafHash: Uint8Array }>();
      const nodes: NodeHash[] = [];
      for (const input of inputs) {
        const leafHash = hashLeaf(input.leaf);
        const known = input.key ? (existing.get(input.key) ?? seenInBatch.get(input.key)) : undefined;
        if (known !== undefined) {
          if (!bytesEqual(known.leafHash, leafHash)) {
            throw new LogKeyConflictError(
              `${input.key} is already in the log (entry ${known.seq}) with different content`,
            );
          }
          indexes.push(known.seq);
          continue;
        }
        const seq = range.size;
        entries.push({ seq, leafHash, kind: input.kind, leaf: input.leaf, key: input.key ?? null, createdAt: now });
        nodes.push(...range.append(leafHash));
        if (input.key) seenInBatch.set(input.key, { seq, leafHash });
        indexes.push(seq);
      }
      const previous = await tx.latestCheckpoint();
      if (entries.length === 0 && previous) return { indexes, checkpoint: previous };
      await tx.insertEntries(entries);
      await tx.insertNodes(nodes);
      const root = range.root();
      if (previous && previous.size > 0) {
        const proof = await fetchProof(
          { getNodes: (ids) => tx.readNodes(ids) },
          consistencyPlan(previous.size, range.size),
        );
        try {
          verifyConsistency(previous.size, range.size, proof, previous.rootHash, root);
        } catch (error) {
          if (error instanceof MerkleProofError) throw new LogIntegrityError(`refusing to sign: ${error.message}`);
          throw error;
        }
      }
      await tx.setHead({ size: range.size, rootHash: root }, now);
      const checkpoint: StoredCheckpoint = {
        size: range.size,
        rootHash: root,
        note: signCheckpoint({ origin: this.options.origin, size: range.size, rootHash: root }, [this.options.signer]),
        createdAt: now,
      };
      if (!previous || previous.size !== checkpoint.size) await tx.insertCheckpoint(checkpoint);
      return { indexes, checkpoint };
    });
  }

  /** Index of the entry holding an idempotency key, if any. */
  async indexOfKey(key: string): Promise<number | undefined> {
    return this.store.sequence(async (tx) => (await tx.findByKeys([key])).get(key)?.seq);
  }

  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.store.latestCheckpoint();
  }

  /** Proof that leaf `index` is in the tree of `size` (default: the latest checkpoint), with that checkpoint. */
  async inclusionProof(
    index: number,
    size?: number,
  ): Promise<{ proof: Uint8Array[]; checkpoint: StoredCheckpoint; tlogProof: string }> {
    const checkpoint = await this.checkpointFor(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= checkpoint.size) {
      throw new RangeError(`leaf index ${index} is not below the tree size ${checkpoint.size}`);
    }
    const proof = await fetchProof(this.reader(), inclusionPlan(index, checkpoint.size));
    return { proof, checkpoint, tlogProof: formatTlogProof({ index, proof, checkpoint: checkpoint.note }) };
  }

  /**
   * Proof that the tree of `size1` is a prefix of the tree of `size2` (default: the latest checkpoint; otherwise a
   * checkpointed size). `size1` may be any size the client holds a trusted root for.
   */
  async consistencyProof(size1: number, size2?: number): Promise<{ proof: Uint8Array[]; to: StoredCheckpoint }> {
    const to = await this.checkpointFor(size2);
    if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > to.size) {
      throw new RangeError(`need 1 <= size1 <= ${to.size}, got ${size1}`);
    }
    const proof = size1 === to.size ? [] : await fetchProof(this.reader(), consistencyPlan(size1, to.size));
    return { proof, to };
  }

  entries(start: number, end: number): Promise<StoredEntry[]> {
    return this.store.entries(start, end);
  }

  checkpoints(fromSize: number, limit: number): Promise<StoredCheckpoint[]> {
    return this.store.checkpoints(fromSize, limit);
  }

  private async checkpointFor(size: number | undefined): Promise<StoredCheckpoint> {
    const checkpoint = size ? await this.store.checkpointAt(size) : await this.store.latestCheckpoint();
    if (!checkpoint) {
      throw new RangeError(
        size ? `no checkpoint was signed at tree size ${size}` : 'the log is empty: no checkpoint yet',
      );
    }
    return checkpoint;
  }

  private reader() {
    return { getNodes: (ids: Parameters<LogStore['readNodes']>[0]) => this.store.readNodes(ids) };
  }
}
