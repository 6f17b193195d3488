// Reads the upstream vector files for the specs (see SOURCE.md). Not part of the library.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

export interface VectorFile<T> {
  /** Path relative to test-fixtures/, for test names. */
  readonly name: string;
  readonly data: T;
}

/** Parses one fixture file. Integers beyond 2^53 lose precision; the specs rely on that being rejected. */
export function readVector<T>(path: string): T {
  return JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as T;
}

/** Every *.json file under `dir`, recursively, sorted by path. */
export function readVectorDir<T>(dir: string): VectorFile<T>[] {
  const files: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = join(abs, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.json')) files.push(child);
    }
  };
  walk(join(ROOT, dir));
  return files.sort().map((abs) => {
    const name = relative(ROOT, abs);
    return { name, data: readVector<T>(name) };
  });
}

/** Strict base64 (as Go's encoding/json uses): rejects anything that does not round-trip. */
export function b64(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new Error(`not canonical base64: ${JSON.stringify(text)}`);
  return new Uint8Array(bytes);
}

/** Decodes a list of base64 hashes; JSON null (Go's nil slice) is the empty proof. */
export function b64List(list: readonly string[] | null): Uint8Array[] {
  return (list ?? []).map(b64);
}
