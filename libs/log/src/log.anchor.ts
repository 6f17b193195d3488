import { hashLeaf, toHex } from '#evx/merkle';
import type { LogAppender } from './log.appender.js';
import type { TransparencyLog } from './transparency-log.js';

/**
 * Commits a leaf (a package commitment) to the log and proves it: the signed checkpoint of a tree that holds it
 * and the C2SP tlog-proof against exactly that checkpoint. Committing the same leaf again returns its first index
 * (the idempotency key is the leaf hash), so a retried package completion cannot add a second entry.
 */
export class TransparencyLogAnchor {
  constructor(
    private readonly log: TransparencyLog,
    private readonly appender: Pick<LogAppender, 'append'>,
    private readonly kind = 'package',
  ) {}

  async commit(leaf: Uint8Array): Promise<{ checkpoint: string; tlogProof: string; index: number }> {
    const { indexes, checkpoint } = await this.appender.append([
      { kind: this.kind, leaf, key: `${this.kind}:${toHex(hashLeaf(leaf))}` },
    ]);
    const { tlogProof } = await this.log.inclusionProof(indexes[0], checkpoint.size);
    return { checkpoint: checkpoint.note, tlogProof, index: indexes[0] };
  }
}
