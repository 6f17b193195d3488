// A bag inside a tar, read in place: files are byte ranges of the archive, so validation needs no extraction.
import { createReadStream } from 'node:fs';
import type { BagSource } from './bag.source.js';
import { ancestorsOf } from './bag-path.util.js';
import type { TarIndex, TarIndexEntry, TarProblem } from './tar.reader.js';

/** Large files are read in 1 MiB chunks: fewer system calls and hash updates than the 64 KiB default. */
const READ_CHUNK = 1 << 20;

export interface TarBag {
  /** The archive's top-level directory holding the bag, or '' when bagit.txt sits at the archive root. */
  readonly baseName: string;
  /** Index entries belonging to the bag, with names relative to the bag's base directory. */
  readonly entries: readonly TarIndexEntry[];
}

/**
 * Finds the bag in an (already safety-checked) archive: either bagit.txt at the root, or exactly one top-level
 * directory that holds everything, as "tar -cf bag.tar bag/" produces and as this library writes.
 */
export function locateTarBag(index: TarIndex): TarBag | TarProblem {
  const entries = index.entries;
  if (entries.some((e) => e.type === 'file' && e.name === 'bagit.txt')) return { baseName: '', entries };
  const tops = new Set(entries.map((e) => e.name.split('/')[0]));
  const [base] = tops;
  const layout: TarProblem = {
    problem: 'layout',
    message: 'the archive must hold one bag: bagit.txt at its root, or one top-level directory containing the bag',
  };
  if (tops.size !== 1 || base === undefined) return layout;
  const inside: TarIndexEntry[] = [];
  for (const entry of entries) {
    if (entry.name === base) {
      if (entry.type !== 'directory') return layout;
      continue;
    }
    inside.push({ ...entry, name: entry.name.slice(base.length + 1) });
  }
  return { baseName: base, entries: inside };
}

export function tarBagSource(archive: string, bag: TarBag): BagSource {
  const files = new Map<string, number>();
  const offsets = new Map<string, number>();
  const directories = new Set<string>();
  for (const entry of bag.entries) {
    if (entry.type === 'directory') directories.add(entry.name);
    else {
      files.set(entry.name, entry.size);
      offsets.set(entry.name, entry.offset);
    }
    for (const dir of ancestorsOf(entry.name)) directories.add(dir);
  }
  return {
    files,
    directories,
    open(path: string): AsyncIterable<Uint8Array> {
      const offset = offsets.get(path);
      const size = files.get(path);
      if (offset === undefined || size === undefined) throw new Error(`${path} is not a file in the archive`);
      if (size === 0) return emptyIterable();
      return createReadStream(archive, { start: offset, end: offset + size - 1, highWaterMark: READ_CHUNK });
    },
    locate(path: string) {
      const offset = offsets.get(path);
      const size = files.get(path);
      return offset === undefined || size === undefined
        ? undefined
        : { file: archive, start: offset, length: size, noFollow: false };
    },
  };
}

async function* emptyIterable(): AsyncIterable<Uint8Array> {
  // A zero-length range cannot be expressed with createReadStream's inclusive `end`.
}
