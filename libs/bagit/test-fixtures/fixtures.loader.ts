// Locates the copied conformance suite for the specs (see SOURCE.md). Not part of the library.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONFORMANCE_ROOT = fileURLToPath(new URL('./bagit-conformance/', import.meta.url));

/** Bag directories directly inside `category` (e.g. "v1.0/valid"), sorted; empty when the folder is absent. */
export function conformanceBags(category: string): string[] {
  try {
    return readdirSync(join(CONFORMANCE_ROOT, category), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}
