// RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing with SHA-256: domain-separated leaf and interior hashes.
import * as crypto from 'node:crypto';

/** Size in bytes of every node hash (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Leaves up to this size are hashed in one shot from a reused buffer; larger ones are streamed so
// the (possibly large) leaf data is never copied just to prepend one byte.
const SMALL_LEAF_MAX = 512;

type OneShot = (data: Uint8Array) => Uint8Array;

// crypto.hash (Node >= 20.12 / 21.7) skips the Hash object; createHash is the fallback.
const sha256: OneShot =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

// Reused scratch buffers: hashing is synchronous, so no call can observe another's contents.
const childrenInput = new Uint8Array(1 + 2 * HASH_SIZE);
childrenInput[0] = NODE_PREFIX;
const leafInput = new Uint8Array(1 + SMALL_LEAF_MAX);
leafInput[0] = LEAF_PREFIX;
const LEAF_PREFIX_BYTES = Uint8Array.of(LEAF_PREFIX);
const NODE_PREFIX_BYTES = Uint8Array.of(NODE_PREFIX);

/** SHA-256(0x00 || data): the hash of a log entry. */
export function hashLeaf(data: Uint8Array): Uint8Array {
  if (data.length <= SMALL_LEAF_MAX) {
    leafInput.set(data, 1);
    return sha256(leafInput.subarray(0, 1 + data.length));
  }
  return crypto.createHash('sha256').update(LEAF_PREFIX_BYTES).update(data).digest();
}

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    childrenInput.set(left, 1);
    childrenInput.set(right, 1 + HASH_SIZE);
    return sha256(childrenInput);
  }
  // Only reachable with non-standard inputs (e.g. the RFC 6962 known-answer test); not hot.
  return crypto.createHash('sha256').update(NODE_PREFIX_BYTES).update(left).update(right).digest();
}

/** SHA-256 of the empty string: the root of the empty tree (RFC 9162 §2.1.1). */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}
