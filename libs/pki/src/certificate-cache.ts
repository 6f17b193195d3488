// Parsed certificates, memoised by the SHA-256 of their bytes. Parsing a certificate (Node's X509Certificate and
// @peculiar/x509's structural parse) costs far more than the checks made with it, and a service sees the same few
// certificates on every call (each actor's TLS certificate, the signers of the orders it handles). Only what a
// certificate SAYS is cached here, which cannot change for the same bytes; every decision that depends on time or
// on the current CRLs is the caller's, per call (identityFromCertificate does them on every call).
import { X509Certificate, hash } from 'node:crypto';
import { x509 } from './x509-runtime.js';

/** A small least-recently-used map: reading an entry makes it the newest; past `capacity` the oldest goes. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private capacity: number) {
    LruCache.checkCapacity(capacity);
  }

  private static checkCapacity(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`LRU capacity must be a positive integer, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get maxSize(): number {
    return this.capacity;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    this.evict();
  }

  /** Shrinks (evicting the oldest) or grows the bound. */
  resize(capacity: number): void {
    LruCache.checkCapacity(capacity);
    this.capacity = capacity;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }
}

/** One certificate, parsed once: treat every field as read-only, the object is shared by all callers. */
export class ParsedCertificate {
  private readonly memos = new Map<string, unknown>();

  constructor(
    /** Lowercase hex SHA-256 of the DER (of the PEM text for a PEM input): the cache key. */
    readonly sha256: string,
    readonly node: X509Certificate,
    /** Structural parse, for what Node only offers as display strings (SAN entries, subject attributes). */
    readonly structure: InstanceType<typeof x509.X509Certificate>,
  ) {}

  /**
   * A value derived from the certificate alone (never from time, CRLs or a trust store), computed once. A
   * computation that throws is not remembered: it throws again on the next call.
   */
  memo<T>(name: string, compute: () => T): T {
    if (this.memos.has(name)) return this.memos.get(name) as T;
    const value = compute();
    this.memos.set(name, value);
    return value;
  }
}

/** Default bound: a service's actors, services and signers, with room to spare (an entry is a few KiB). */
export const DEFAULT_CERTIFICATE_CACHE_SIZE = 1024;

const cache = new LruCache<string, ParsedCertificate>(DEFAULT_CERTIFICATE_CACHE_SIZE);

function keyOf(input: Uint8Array | string): string {
  // A PEM text is keyed by its own bytes (a distinct namespace): decoding it is what Node's parser is for. One-shot
  // hashing (crypto.hash): this runs for every certificate looked up, and a Hash object costs more than the hash.
  return typeof input === 'string' ? `pem:${hash('sha256', input, 'hex')}` : hash('sha256', input, 'hex');
}

/**
 * The parsed certificate for these DER bytes (or this PEM text), from the cache when the same bytes were parsed
 * before. @throws whatever the parsers throw for bytes that are not an X.509 certificate (never cached).
 */
export function parsedCertificate(input: Uint8Array | string): ParsedCertificate {
  const key = keyOf(input);
  const hit = cache.get(key);
  if (hit) return hit;
  const node = new X509Certificate(
    typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength),
  );
  const entry = new ParsedCertificate(
    key.startsWith('pem:') ? key.slice(4) : key,
    node,
    new x509.X509Certificate(node.raw),
  );
  cache.set(key, entry);
  return entry;
}

/** The process-wide cache, for tests and tuning (size, resize, clear). */
export const certificateCache = {
  get size(): number {
    return cache.size;
  },
  get maxSize(): number {
    return cache.maxSize;
  },
  resize(capacity: number): void {
    cache.resize(capacity);
  },
  clear(): void {
    cache.clear();
  },
};
