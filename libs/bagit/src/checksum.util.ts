// Checksum algorithms by their BagIt names (RFC 8493 §2.4: lower-case, non-alphanumerics removed).
import { createHash, getHashes, type Hash } from 'node:crypto';

/** Algorithms the writer can produce. The RFC makes SHA-256 and SHA-512 mandatory for v1.0 tools. */
export type BagAlgorithm = 'sha256' | 'sha512';

interface AlgorithmSpec {
  /** Name for `node:crypto`. */
  readonly node: string;
  /** Length of the hex digest, so that truncated or padded manifest values are reported as malformed. */
  readonly hexLength: number;
}

// MD5 and SHA-1 are accepted for reading old bags only (the RFC says "SHOULD support" for compatibility);
// the writer never emits them.
const KNOWN: Readonly<Record<string, AlgorithmSpec>> = {
  md5: { node: 'md5', hexLength: 32 },
  sha1: { node: 'sha1', hexLength: 40 },
  sha224: { node: 'sha224', hexLength: 56 },
  sha256: { node: 'sha256', hexLength: 64 },
  sha384: { node: 'sha384', hexLength: 96 },
  sha512: { node: 'sha512', hexLength: 128 },
  sha3224: { node: 'sha3-224', hexLength: 56 },
  sha3256: { node: 'sha3-256', hexLength: 64 },
  sha3384: { node: 'sha3-384', hexLength: 96 },
  sha3512: { node: 'sha3-512', hexLength: 128 },
};

let available: ReadonlySet<string> | undefined;

/** The spec for a BagIt algorithm name, or undefined when neither the table nor this Node build supports it. */
export function algorithmSpec(name: string): AlgorithmSpec | undefined {
  const spec = Object.prototype.hasOwnProperty.call(KNOWN, name) ? KNOWN[name] : undefined;
  if (spec === undefined) return undefined;
  available ??= new Set(getHashes());
  return available.has(spec.node) ? spec : undefined;
}

/** BagIt names of every algorithm this build can verify, for documentation and error messages. */
export function supportedAlgorithms(): string[] {
  return Object.keys(KNOWN).filter((name) => algorithmSpec(name) !== undefined);
}

/** Several digests over one pass of the data, so large files are read once whatever the number of manifests. */
export class MultiHasher {
  private readonly hashes = new Map<string, Hash>();
  private octets = 0;

  constructor(algorithms: Iterable<string>) {
    for (const name of algorithms) {
      const spec = algorithmSpec(name);
      if (spec === undefined) throw new Error(`unsupported checksum algorithm ${name}`);
      this.hashes.set(name, createHash(spec.node));
    }
  }

  update(chunk: Uint8Array): void {
    this.octets += chunk.byteLength;
    for (const hash of this.hashes.values()) hash.update(chunk);
  }

  get size(): number {
    return this.octets;
  }

  /** Lower-case hex digests by BagIt algorithm name. Call once. */
  digest(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, hash] of this.hashes) out[name] = hash.digest('hex');
    return out;
  }
}
