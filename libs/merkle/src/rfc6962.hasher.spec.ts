import { createHash, randomBytes } from 'node:crypto';
import { emptyRoot, HASH_SIZE, hashChildren, hashLeaf } from './rfc6962.hasher.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha256 = (...parts: Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

describe('RFC 6962 hasher', () => {
  // Known answers from RFC 6962 / transparency-dev rfc6962_test.go.
  it('empty tree root is SHA-256("")', () => {
    expect(hex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes the empty leaf as SHA-256(0x00)', () => {
    expect(hex(hashLeaf(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  });

  it('hashLeaf("L123456")', () => {
    expect(hex(hashLeaf(utf8('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
  });

  it('hashChildren("N123", "N456") (non-32-byte inputs)', () => {
    expect(hex(hashChildren(utf8('N123'), utf8('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('matches a plain SHA-256 reference on both sides of the small-leaf fast path', () => {
    for (const size of [0, 1, 31, 32, 33, 511, 512, 513, 4096, 1 << 20]) {
      const data = randomBytes(size);
      expect(hex(hashLeaf(data))).toBe(sha256(Uint8Array.of(0), data));
    }
  });

  it('hashes subarray views by their contents only', () => {
    const backing = randomBytes(100);
    const view = backing.subarray(10, 20);
    expect(hex(hashLeaf(view))).toBe(sha256(Uint8Array.of(0), Buffer.from(view)));
  });

  it('returns fresh buffers even though inputs go through shared scratch space', () => {
    const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const ab = hashChildren(a, b);
    const abHex = hex(ab);
    const leaf = hashLeaf(a);
    const leafHex = hex(leaf);
    hashChildren(b, c);
    hashLeaf(c);
    expect(hex(ab)).toBe(abHex);
    expect(hex(leaf)).toBe(leafHex);
    expect(ab.length).toBe(HASH_SIZE);
    expect(abHex).toBe(sha256(Uint8Array.of(1), a, b));
  });

  it('separates leaves from nodes and depends on child order', () => {
    const l = hashLeaf(utf8('Hello'));
    const r = hashLeaf(utf8('World'));
    const node = hashChildren(l, r);
    expect(hex(node)).not.toBe(hex(hashLeaf(Buffer.concat([l, r]))));
    expect(hex(node)).not.toBe(hex(hashChildren(r, l)));
  });
});
