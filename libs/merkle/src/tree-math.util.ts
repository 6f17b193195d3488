// Bit arithmetic on tree sizes and indices.
//
// Sizes are plain numbers so callers can pass database counters directly, but JS bitwise operators
// truncate to 32 bits. Everything here works on the full safe-integer range (< 2^53) by splitting
// values into 32-bit halves or by exact power-of-two division.

const TWO_32 = 2 ** 32;

/** Throws RangeError unless `value` is a non-negative safe integer. */
export function assertUint(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

/** True if `value` is a non-negative safe integer. */
export function isUint(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function high(x: number): number {
  return Math.floor(x / TWO_32);
}

function low(x: number): number {
  return x >>> 0;
}

function popCount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function trailingZeros32(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/** Number of bits needed to represent x (0 for 0), like Go's bits.Len64. */
export function bitLength(x: number): number {
  const hi = high(x);
  return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(low(x));
}

/** Number of set bits. */
export function popCount(x: number): number {
  return popCount32(low(x)) + popCount32(high(x));
}

/** Number of trailing zero bits; x must be > 0. */
export function trailingZeros(x: number): number {
  const lo = low(x);
  return lo !== 0 ? trailingZeros32(lo) : 32 + trailingZeros32(high(x));
}

/** Bitwise XOR over the full safe-integer range. */
export function xor(a: number, b: number): number {
  return ((high(a) ^ high(b)) >>> 0) * TWO_32 + ((low(a) ^ low(b)) >>> 0);
}

/** x >> k without 32-bit truncation. */
export function shr(x: number, k: number): number {
  return Math.floor(x / 2 ** k);
}

/** x << k without 32-bit truncation (caller keeps the result below 2^53). */
export function shl(x: number, k: number): number {
  return x * 2 ** k;
}

/** True if x is odd. */
export function isOdd(x: number): boolean {
  return x % 2 === 1;
}

/** True if x is a power of two (x > 0). */
export function isPowerOfTwo(x: number): boolean {
  return x > 0 && popCount(x) === 1;
}
