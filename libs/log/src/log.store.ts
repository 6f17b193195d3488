import type { NodeHash, NodeId } from '#evx/merkle';

/** A leaf as stored: its index, hash, the exact leaf bytes, and an optional idempotency key. */
export interface StoredEntry {
  seq: number;
  leafHash: Uint8Array;
  kind: string;
  leaf: Uint8Array;
  /** Unique when set (an audit event id, a package id): appending the same key again returns the first entry. */
  key: string | null;
  createdAt: number;
}

export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note, exactly as served. */
  note: string;
  createdAt: number;
}

export interface LogHead {
  size: number;
  rootHash: Uint8Array;
}

/**
 * What the log needs from storage. The implementation (TypeORM in the vault) must run `sequence` in one database
 * transaction that holds an exclusive lock on the head for its whole duration, so that any number of vault
 * instances on one database append in one order and never fork the tree.
 */
export interface LogStore {
  sequence<T>(work: (tx: LogTransaction) => Promise<T>): Promise<T>;
  /** Perfect node hashes in the order asked; throws if one is missing. */
  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
  entries(start: number, end: number): Promise<StoredEntry[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  checkpointAt(size: number): Promise<StoredCheckpoint | null>;
  /** Checkpoints with size in [fromSize, …), ascending, at most `limit`. */
  checkpoints(fromSize: number, limit: number): Promise<StoredCheckpoint[]>;
}

export interface LogTransaction {
  /** The head, locked until the transaction ends. */
  lockHead(): Promise<LogHead>;
  readNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
  /** Entries already holding these keys: key → index and leaf hash. */
  findByKeys(keys: readonly string[]): Promise<Map<string, { seq: number; leafHash: Uint8Array }>>;
  insertEntries(entries: readonly StoredEntry[]): Promise<void>;
  insertNodes(nodes: readonly NodeHash[]): Promise<void>;
  setHead(head: LogHead, at: number): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  insertCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
}
