// A transparency log in memory for tests: appends leaves, signs checkpoints with the dev PKI's log key and returns
// the tlog-proof, as the vault does for real.
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InMemoryTree } from '#evx/merkle';
import { formatTlogProof, newEd25519Signer, signCheckpoint, type NoteSigner } from '#evx/tlog';
import type { LogAnchor } from '../log-anchor.js';

export const TEST_LOG_ORIGIN = 'evx.test/log';

export class InMemoryLogAnchor implements LogAnchor {
  readonly tree = new InMemoryTree();

  constructor(
    readonly origin: string,
    private readonly signer: NoteSigner,
    /** Other entries before the package's, so its index is not 0. */
    prefill = 0,
  ) {
    for (let i = 0; i < prefill; i++) this.tree.append(Buffer.from(`{"type":"evx.test.other-entry","n":${i}}`));
  }

  /** Signs with `<pkiDir>/log/log.key` (Ed25519 PKCS#8), key name = origin. */
  static async fromPki(pkiDir: string, origin = TEST_LOG_ORIGIN, prefill = 5): Promise<InMemoryLogAnchor> {
    const key = createPrivateKey(await readFile(join(pkiDir, 'log', 'log.key'), 'utf8'));
    const seed = Buffer.from(String(key.export({ format: 'jwk' }).d), 'base64url');
    return new InMemoryLogAnchor(origin, newEd25519Signer(origin, seed), prefill);
  }

  async commit(leaf: Uint8Array): Promise<{ checkpoint: string; tlogProof: string }> {
    const index = this.tree.size;
    this.tree.append(leaf);
    const size = this.tree.size;
    const checkpoint = signCheckpoint({ origin: this.origin, size, rootHash: this.tree.root() }, [this.signer]);
    const tlogProof = formatTlogProof({ index, proof: this.tree.inclusionProof(index, size), checkpoint });
    return { checkpoint, tlogProof };
  }
}
