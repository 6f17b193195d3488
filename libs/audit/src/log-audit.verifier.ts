import { CompactRange, bytesEqual, hashLeaf, toHex, verifyInclusion, MerkleProofError } from '#evx/merkle';
import { openCheckpoint, type NoteVerifier } from '#evx/tlog';

export interface LogSource {
  /** Signed checkpoints with size >= fromSize, ascending; empty when there are no more. */
  checkpoints(fromSize: number): Promise<string[]>;
  /** Leaves [start, end), in order. */
  leaves(start: number, end: number): Promise<Uint8Array[]>;
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
}

export interface LogAuditReport {
  ok: boolean;
  /** Entries re-hashed. */
  entries: number;
  /** Checkpoints whose signature and root were checked. */
  checkpoints: number;
  latestSize: number;
  /** The first entry that does not match the signed log, when not ok. */
  brokenAt?: number;
  problem?: string;
}

/**
 * Re-hashes every entry of the log and checks the result against every signed checkpoint. When a checkpoint's
 * root does not match, the break lies between it and the previous good one; inclusion proofs against the signed
 * root then name the first entry that does not belong.
 */
export interface AuditLogOptions {
  onProgress?: (entries: number, total: number) => void;
  /**
   * A checkpoint the auditor kept from an earlier audit (a signed note). A log rewritten since, even one re-signed
   * consistently from scratch, no longer has that root at that size: the audit fails.
   */
  trustedCheckpoint?: string;
}

export async function auditLog(
  source: LogSource,
  verifier: NoteVerifier,
  origin: string,
  options: AuditLogOptions = {},
): Promise<LogAuditReport> {
  const onProgress = options.onProgress;
  const trusted = options.trustedCheckpoint
    ? openCheckpoint(options.trustedCheckpoint, verifier, origin).checkpoint
    : undefined;
  const range = new CompactRange();
  const checkTrusted = (): LogAuditReport | undefined => {
    if (!trusted || range.size !== trusted.size || bytesEqual(range.root(), trusted.rootHash)) return undefined;
    return {
      ok: false,
      entries: range.size,
      checkpoints,
      latestSize,
      problem: `the log was rewritten: its first ${trusted.size} entries hash to ${toHex(range.root())}, but the checkpoint you kept says ${toHex(trusted.rootHash)}`,
    };
  };
  let checkpoints = 0;
  let latestSize = 0;
  let goodSize = 0;
  for (;;) {
    const notes = await source.checkpoints(latestSize + 1);
    if (notes.length === 0) break;
    for (const note of notes) {
      let opened;
      try {
        opened = openCheckpoint(note, verifier, origin);
      } catch (error) {
        return {
          ok: false,
          entries: range.size,
          checkpoints,
          latestSize,
          problem: `checkpoint after size ${latestSize}: ${(error as Error).message}`,
        };
      }
      const { size, rootHash } = opened.checkpoint;
      for (let start = range.size; start < size; start += 1000) {
        const leaves = await source.leaves(start, Math.min(start + 1000, size));
        for (const leaf of leaves) {
          range.append(hashLeaf(leaf));
          const rewritten = checkTrusted();
          if (rewritten) return rewritten;
        }
        onProgress?.(range.size, size);
      }
      checkpoints++;
      latestSize = size;
      if (!bytesEqual(range.root(), rootHash)) {
        const brokenAt = await locate(source, goodSize, size, rootHash);
        return {
          ok: false,
          entries: range.size,
          checkpoints,
          latestSize,
          brokenAt,
          problem: `entries up to ${size} hash to ${toHex(range.root())}, but the checkpoint signed ${toHex(rootHash)}`,
        };
      }
      goodSize = size;
    }
  }
  if (trusted && trusted.size > range.size) {
    return {
      ok: false,
      entries: range.size,
      checkpoints,
      latestSize,
      problem: `the log shrank: it has ${range.size} entries, the checkpoint you kept ${trusted.size}`,
    };
  }
  return { ok: true, entries: range.size, checkpoints, latestSize };
}

async function locate(source: LogSource, from: number, size: number, root: Uint8Array): Promise<number | undefined> {
  for (let start = from; start < size; start += 1000) {
    const leaves = await source.leaves(start, Math.min(start + 1000, size));
    for (const [i, leaf] of leaves.entries()) {
      try {
        verifyInclusion(hashLeaf(leaf), start + i, size, await source.inclusionProof(start + i, size), root);
      } catch (error) {
        if (error instanceof MerkleProofError) return start + i;
        throw error;
      }
    }
  }
  return undefined;
}
