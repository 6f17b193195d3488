// Test-only RFC 6962 / RFC 9162 helpers: build trees and proofs for fixtures,
// straight from the RFC's recursive definitions, independent of #evx/merkle
// so the two cross-check. Never exported from index.ts.
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  parts.forEach((p) => h.update(p));
  return new Uint8Array(h.digest());
};

export const leafHash = (data: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), data);
export const nodeHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(Uint8Array.of(1), l, r);

// Largest power of two strictly below n (n >= 2).
const split = (n: number): number => 2 ** Math.floor(Math.log2(n - 1));

/** MTH over already-hashed leaves (RFC 9162 §2.1.1). */
export function treeHash(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** PATH(m, D[n]) (RFC 9162 §2.1.3.1), leaf sibling first. */
export function inclusionPath(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...inclusionPath(m, leaves.slice(0, k)), treeHash(leaves.slice(k))]
    : [...inclusionPath(m - k, leaves.slice(k)), treeHash(leaves.slice(0, k))];
}
