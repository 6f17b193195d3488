// Deterministic "randomness" for synthetic data: every value is a SHA-256 of the seed, a label path and an index,
// so the same seed and the same question give the same answer in any order, on any machine, with no state.
// (Math.random could not reproduce a package byte for byte after a restart.)
import { createHash } from 'node:crypto';

/** What the generators draw values from; `label` names the question (ignored by a DrawStream). */
export interface Random {
  int(label: string, min: number, max: number, index?: number): number;
  fraction(label: string, index?: number): number;
  pick<T>(label: string, items: readonly T[], index?: number): T;
  digits(label: string, length: number, index?: number): string;
}

export class SeededRandom implements Random {
  private readonly prefix: string;

  constructor(seed: string, ...labels: readonly (string | number)[]) {
    this.prefix = [seed, ...labels].join('\u001f');
  }

  /** A child generator for a sub-question, e.g. `.child('cdr', 17)`. */
  child(...labels: readonly (string | number)[]): SeededRandom {
    return new SeededRandom(this.prefix, ...labels);
  }

  /**
   * Values drawn one after another from one SHA-256 stream: much cheaper than a hash per value, for the millions of
   * events of a large order. Deterministic as long as the caller draws in a fixed order.
   */
  stream(...labels: readonly (string | number)[]): DrawStream {
    return new DrawStream(`${this.prefix}\u001f${labels.join('\u001f')}`);
  }

  /** 32 pseudo-random bytes for (`label`, `index`). */
  bytes(label: string, index = 0): Buffer {
    return createHash('sha256').update(`${this.prefix}\u001f${label}\u001f${index}`).digest();
  }

  /** An integer in [0, 2^48). */
  uint(label: string, index = 0): number {
    return this.bytes(label, index).readUIntBE(0, 6);
  }

  /** An integer in [min, max]. */
  int(label: string, min: number, max: number, index = 0): number {
    return min + (this.uint(label, index) % (max - min + 1));
  }

  /** A number in [0, 1). */
  fraction(label: string, index = 0): number {
    return this.uint(label, index) / 2 ** 48;
  }

  pick<T>(label: string, items: readonly T[], index = 0): T {
    return items[this.int(label, 0, items.length - 1, index)] as T;
  }

  /** `length` decimal digits. */
  digits(label: string, length: number, index = 0): string {
    const bytes = this.bytes(label, index);
    let out = '';
    for (let i = 0; out.length < length; i++) out += String(bytes[i % 32]! % 10);
    return out;
  }
}

export class DrawStream implements Random {
  private block = Buffer.alloc(0);
  private offset = 0;
  private counter = 0;

  constructor(private readonly prefix: string) {}

  private next32(): number {
    if (this.offset + 4 > this.block.length) {
      this.block = createHash('sha256').update(`${this.prefix}\u001f#${this.counter++}`).digest();
      this.offset = 0;
    }
    const value = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  int(_label: string, min: number, max: number): number {
    return min + (this.next32() % (max - min + 1));
  }

  fraction(_label?: string): number {
    return this.next32() / 2 ** 32;
  }

  pick<T>(label: string, items: readonly T[]): T {
    return items[this.int(label, 0, items.length - 1)] as T;
  }

  digits(_label: string, length: number): string {
    let out = '';
    while (out.length < length) out += String(this.next32()).padStart(10, '0').slice(1);
    return out.slice(0, length);
  }
}

/**
 * The instant of event `i` of `count` spread over [start, end): strictly inside the range, never decreasing with i,
 * jittered within its slot. Computed from i alone, so a generator can stream any number of events in constant memory.
 */
export function spreadTime(random: Random, start: Date, end: Date, i: number, count: number): Date {
  const span = end.getTime() - start.getTime();
  const slot = span / count;
  return new Date(start.getTime() + Math.floor(i * slot + random.fraction('jitter', i) * slot));
}
