import { bitLength, isPowerOfTwo, popCount, shl, shr, trailingZeros, xor } from './tree-math.util.js';

// Reference implementations on BigInt, to check the 53-bit-safe number versions.
const big = (x: number): bigint => BigInt(x);
const refBitLength = (x: number): number => big(x).toString(2).replace(/^0+/, '').length;
const refPopCount = (x: number): number => [...big(x).toString(2)].filter((c) => c === '1').length;
const refTrailingZeros = (x: number): number => {
  const s = big(x).toString(2);
  return s.length - 1 - s.lastIndexOf('1');
};

function samples(): number[] {
  const out = [0, 1, 2, 3, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
  for (let k = 0; k <= 52; k++) out.push(2 ** k, 2 ** k - 1, 2 ** k + 1, 3 * 2 ** Math.max(0, k - 2));
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    // Deterministic pseudo-random values spread over all magnitudes.
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const bits = seed % 53;
    out.push(Math.floor((seed / 2 ** 31) * 2 ** bits));
  }
  return out.filter((x) => Number.isSafeInteger(x) && x >= 0);
}

describe('tree math on the full safe-integer range', () => {
  const xs = samples();

  it('bitLength, popCount and isPowerOfTwo agree with BigInt', () => {
    for (const x of xs) {
      expect([x, bitLength(x)]).toEqual([x, refBitLength(x)]);
      expect([x, popCount(x)]).toEqual([x, refPopCount(x)]);
      expect([x, isPowerOfTwo(x)]).toEqual([x, x > 0 && refPopCount(x) === 1]);
    }
  });

  it('trailingZeros agrees with BigInt', () => {
    for (const x of xs.filter((v) => v > 0)) expect([x, trailingZeros(x)]).toEqual([x, refTrailingZeros(x)]);
  });

  it('xor and shifts agree with BigInt', () => {
    for (let i = 0; i < xs.length; i++) {
      const a = xs[i];
      const b = xs[(i * 7 + 3) % xs.length];
      expect([a, b, xor(a, b)]).toEqual([a, b, Number(big(a) ^ big(b))]);
      const k = i % 53;
      expect([a, k, shr(a, k)]).toEqual([a, k, Number(big(a) >> BigInt(k))]);
      const small = Math.floor(a / 2 ** k);
      expect([small, k, shl(small, k)]).toEqual([small, k, Number(BigInt(small) << BigInt(k))]);
    }
  });
});
