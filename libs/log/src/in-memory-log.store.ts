import { emptyRoot, type NodeHash, type NodeId } from '#evx/merkle';
import type { LogHead, LogStore, LogTransaction, StoredCheckpoint, StoredEntry } from './log.store.js';

/** A LogStore in memory: for unit tests and tools; the vault uses its database store. */
export class InMemoryLogStore implements LogStore {
  private head: LogHead = { size: 0, rootHash: emptyRoot() };
  private readonly entryList: StoredEntry[] = [];
  private readonly nodes = new Map<string, Uint8Array>();
  private readonly checkpointList: StoredCheckpoint[] = [];
  private lock: Promise<unknown> = Promise.resolve();

  sequence<T>(work: (tx: LogTransaction) => Promise<T>): Promise<T> {
    const run = this.lock.then(() => work(this.transaction()));
    this.lock = run.catch(() => undefined);
    return run;
  }

  async readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return ids.map((id) => {
      const hash = this.nodes.get(`${id.level}/${id.index}`);
      if (!hash) throw new Error(`node ${id.level}/${id.index} is not stored`);
      return hash;
    });
  }

  async entries(start: number, end: number): Promise<StoredEntry[]> {
    return this.entryList.slice(start, end);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.checkpointList.at(-1) ?? null;
  }

  async checkpointAt(size: number): Promise<StoredCheckpoint | null> {
    return this.checkpointList.find((c) => c.size === size) ?? null;
  }

  async checkpoints(fromSize: number, limit: number): Promise<StoredCheckpoint[]> {
    return this.checkpointList.filter((c) => c.size >= fromSize).slice(0, limit);
  }

  /** Test hook: overwrite a stored leaf as an attacker with database access would. */
  tamperLeaf(seq: number, leaf: Uint8Array): void {
    this.entryList[seq] = { ...this.entryList[seq], leaf };
  }

  private transaction(): LogTransaction {
    return {
      lockHead: async () => this.head,
      readNodes: (ids) => this.readNodes(ids),
      findByKeys: async (keys) => {
        const wanted = new Set(keys);
        return new Map(
          this.entryList
            .filter((e) => e.key && wanted.has(e.key))
            .map((e) => [e.key as string, { seq: e.seq, leafHash: e.leafHash }]),
        );
      },
      insertEntries: async (entries) => void this.entryList.push(...entries),
      insertNodes: async (nodes: readonly NodeHash[]) => {
        for (const n of nodes) this.nodes.set(`${n.level}/${n.index}`, n.hash);
      },
      setHead: async (head) => void (this.head = head),
      latestCheckpoint: () => this.latestCheckpoint(),
      insertCheckpoint: async (checkpoint) => void this.checkpointList.push(checkpoint),
    };
  }
}
