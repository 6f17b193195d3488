// Remembers every name the writer has used so that no two entries can land on the same file anywhere: not as
// exact duplicates, not as file/directory clashes, and not on case-insensitive or normalizing file systems
// (RFC 8493 §6.2: implementations SHOULD prevent names differing only in case or normalization).
import { BagPathError } from './bag.errors.js';
import { ancestorsOf, collisionKey, describePathProblem } from './bag-path.util.js';

export class BagPathRegistry {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();
  /** collisionKey → the exact name that claimed it. */
  private readonly keys = new Map<string, string>();

  /** Refuses `path` when it clashes with anything claimed before; claims it and its directories otherwise. */
  claimFile(path: string): void {
    if (this.files.has(path)) throw this.error('duplicate', path);
    if (this.dirs.has(path)) throw this.error('file-directory-conflict', path);
    const ancestors = ancestorsOf(path);
    for (const dir of ancestors) {
      if (this.files.has(dir)) throw this.error('file-directory-conflict', path);
    }
    for (const name of [...ancestors, path]) {
      const owner = this.keys.get(collisionKey(name));
      if (owner !== undefined && owner !== name) {
        throw new BagPathError(
          'case-or-normalization-collision',
          path,
          `${JSON.stringify(path)}: ${JSON.stringify(name)} and ${JSON.stringify(owner)} differ only by letter case or Unicode normalization`,
        );
      }
    }
    this.files.add(path);
    this.keys.set(collisionKey(path), path);
    for (const dir of ancestors) {
      this.dirs.add(dir);
      this.keys.set(collisionKey(dir), dir);
    }
  }

  /** Claims a directory that has no file yet (the payload directory). */
  claimDirectory(path: string): void {
    this.dirs.add(path);
    this.keys.set(collisionKey(path), path);
  }

  private error(problem: 'duplicate' | 'file-directory-conflict', path: string): BagPathError {
    return new BagPathError(problem, path, `${JSON.stringify(path)}: ${describePathProblem(problem)}`);
  }
}
