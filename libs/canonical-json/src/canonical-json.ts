import * as canonicalizeModule from 'canonicalize';

// `canonicalize` is CommonJS whose typings claim an ES default export; under NodeNext the default import is the
// whole module.exports (the function itself). Resolve it once here.
const serialize = ((canonicalizeModule as unknown as { default?: unknown }).default ?? canonicalizeModule) as (
  input: unknown,
) => string | undefined;

/**
 * RFC 8785 (JCS) canonical JSON: the one encoding of everything EVX hashes or signs. Throws for values JSON cannot
 * represent (undefined at the top, functions, non-finite numbers), so nothing is signed by accident.
 */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}

/** The UTF-8 bytes of `canonicalJson(value)`. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
