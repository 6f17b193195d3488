// Path rules shared by the writer, the validator and the archive reader. Bag paths are always relative,
// '/'-separated and compared as UTF-8 bytes, never as platform paths.
import type { BagPathProblem } from './bag.errors.js';

/** Every segment problem that could make a path reach outside the bag on some operating system. */
export function pathSyntaxProblem(path: string): BagPathProblem | undefined {
  if (path.length === 0) return 'empty';
  if (path.includes('\0')) return 'nul';
  if (path.startsWith('/')) return 'absolute';
  // Windows treats '\' as a separator, so "data\..\x" is traversal there even though POSIX sees one name.
  if (path.includes('\\')) return 'backslash';
  // "C:..." is a drive-relative path on Windows; "~" and "~user" are expanded by shells and some tools.
  if (/^[A-Za-z]:/.test(path)) return 'drive-letter';
  if (path.startsWith('~')) return 'home-shortcut';
  for (const segment of path.split('/')) {
    if (segment === '') return 'empty-segment';
    if (segment === '.' || segment === '..') return 'dot-segment';
  }
  return undefined;
}

/** C0 controls and DEL: legal in POSIX names, but they break line-oriented tag files and terminals. */
export function hasControlCharacter(path: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(path);
}

export function describePathProblem(problem: BagPathProblem): string {
  switch (problem) {
    case 'empty':
      return 'the path is empty';
    case 'absolute':
      return 'absolute paths are not allowed';
    case 'backslash':
      return 'backslash is not a BagIt separator (it is one on Windows)';
    case 'nul':
      return 'the path contains a NUL character';
    case 'control-character':
      return 'the path contains a control character';
    case 'empty-segment':
      return 'the path has an empty segment ("//" or a trailing "/")';
    case 'dot-segment':
      return 'the path has a "." or ".." segment';
    case 'drive-letter':
      return 'the path starts with a Windows drive letter';
    case 'home-shortcut':
      return 'the path starts with "~" (home-directory shortcut)';
    case 'not-in-payload':
      return 'payload paths must start with "data/"';
    case 'in-payload':
      return 'tag file paths must not be under "data/"';
    case 'reserved-name':
      return 'the name is reserved for a file the writer generates';
    case 'duplicate':
      return 'the path was already added';
    case 'case-or-normalization-collision':
      return 'the path differs from another only by letter case or Unicode normalization';
    case 'file-directory-conflict':
      return 'the path is used both as a file and as a directory';
    case 'out-of-order':
      return 'payload files must be added in ascending byte order of their paths';
    case 'invalid-utf8':
      return 'the name is not valid UTF-8';
  }
}

/** Byte order of the UTF-8 encodings: the order of every sorted list the writer emits. */
export function compareBagPaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Key under which two names collide on case-insensitive or normalizing file systems (NTFS, APFS, HFS+).
 * Lower-casing after NFC is an approximation of Unicode case folding that is good enough to refuse ambiguity.
 */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** RFC 8493 §2.1.3: CR, LF and '%' (and only those) are percent-encoded in manifest and fetch paths. */
export function encodeManifestPath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export interface DecodedManifestPath {
  readonly path: string;
  /** A '%' that is not part of an encoding the RFC defines: a v1.0 writer should have encoded it. */
  readonly strayPercent: boolean;
}

/**
 * Reverses `encodeManifestPath`. Bags before v1.0 did not encode '%', so there "%25" stays literal (the
 * conformance suite has v0.97 payload files named "%7Etest1.txt"); only CR and LF are decoded, as
 * bagit-python does.
 */
export function decodeManifestPath(raw: string, v1: boolean): DecodedManifestPath {
  const pattern = v1 ? /%(?:25|0[aAdD])/g : /%0[aAdD]/g;
  let strayPercent = false;
  if (v1) strayPercent = raw.replace(pattern, '').includes('%');
  const path = raw.replace(pattern, (code) => String.fromCharCode(parseInt(code.slice(1), 16)));
  return { path, strayPercent };
}

/** Every proper ancestor directory of a bag path, outermost first: "a/b/c" gives ["a", "a/b"]. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}
