// Payload and tag manifest lines (RFC 8493 §2.1.3, §2.2.1): "<hex checksum> <one or more spaces/tabs> <path>".
import type { IssueList } from './bag.issue.js';
import { collisionKey, decodeManifestPath, describePathProblem, pathSyntaxProblem } from './bag-path.util.js';
import { splitLines } from './tag-text.util.js';

export interface ManifestEntry {
  /** Decoded bag-relative path. */
  readonly path: string;
  /** Lower-case hex. */
  readonly digest: string;
  readonly line: number;
}

export interface ParsedManifest {
  readonly file: string;
  readonly algorithm: string;
  readonly kind: 'payload' | 'tag';
  /** One entry per distinct path (the first occurrence); duplicates are reported, not kept. */
  readonly entries: readonly ManifestEntry[];
}

export interface ManifestContext {
  readonly file: string;
  readonly algorithm: string;
  readonly hexLength: number;
  readonly kind: 'payload' | 'tag';
  readonly v1: boolean;
}

/**
 * Turns a manifest's raw path field into a bag path, or undefined (with an error recorded) when it is unsafe or
 * in the wrong part of the bag. Shared with fetch.txt, whose paths follow the same rules.
 */
export function manifestPath(
  raw: string,
  ctx: { file: string; line: number; v1: boolean; kind: 'payload' | 'tag' },
  issues: IssueList,
): string | undefined {
  const at = { file: ctx.file, line: ctx.line };
  let field = raw;
  // md5sum's binary-mode marker; RFC 8493 §7.4 allows accepting it only with a warning.
  if (field.startsWith('*')) {
    issues.warn('md5sum-binary-marker', 'leading "*" (md5sum binary mode) ignored; strict validators reject it', at);
    field = field.slice(1);
  }
  const decoded = decodeManifestPath(field, ctx.v1);
  if (decoded.strayPercent) {
    issues.warn('path-stray-percent', `"%" not encoded as "%25" in ${JSON.stringify(field)}; read literally`, at);
  }
  let path = decoded.path;
  if (path.startsWith('./')) {
    issues.warn('path-leading-dot-slash', `leading "./" in ${JSON.stringify(path)} ignored`, at);
    path = path.slice(2);
  }
  const problem = pathSyntaxProblem(path);
  if (problem !== undefined) {
    issues.error('unsafe-path', `unsafe path ${JSON.stringify(field)}: ${describePathProblem(problem)}`, at);
    return undefined;
  }
  if (/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/.test(path)) {
    issues.warn('path-not-portable', `path ${JSON.stringify(path)} contains control characters`, at);
  }
  if (ctx.kind === 'payload' && !path.startsWith('data/')) {
    issues.error('path-outside-payload', `${JSON.stringify(path)} is not inside the payload directory "data/"`, at);
    return undefined;
  }
  if (ctx.kind === 'tag') {
    if (path.startsWith('data/')) {
      issues.error('payload-in-tag-manifest', `tag manifests must not list payload files (${path})`, at);
      return undefined;
    }
    if (/^tagmanifest-[^/]*\.txt$/.test(path)) {
      issues.error('tag-manifest-lists-tag-manifest', `tag manifests must not list tag manifests (${path})`, at);
      return undefined;
    }
  }
  return path;
}

export function parseManifest(text: string, ctx: ManifestContext, issues: IssueList): ParsedManifest {
  const entries: ManifestEntry[] = [];
  const byPath = new Map<string, ManifestEntry>();
  const byKey = new Map<string, ManifestEntry>();
  splitLines(text).forEach((content, index) => {
    const line = index + 1;
    const at = { file: ctx.file, line };
    if (content.trim() === '') {
      issues.warn('manifest-blank-line', 'blank line', at);
      return;
    }
    const match = /^([0-9A-Fa-f]+)[ \t]+(.+)$/.exec(content);
    if (!match) {
      issues.error('manifest-line-invalid', `expected "<checksum> <path>", found ${JSON.stringify(content)}`, at);
      return;
    }
    const [, hex = '', rawPath = ''] = match;
    if (hex.length !== ctx.hexLength) {
      const need = `${ctx.algorithm} needs ${ctx.hexLength}`;
      issues.error('manifest-line-invalid', `checksum has ${hex.length} hex digits, ${need}`, at);
      return;
    }
    const path = manifestPath(rawPath, { ...ctx, line }, issues);
    if (path === undefined) return;
    const entry: ManifestEntry = { path, digest: hex.toLowerCase(), line };
    const previous = byPath.get(path);
    if (previous !== undefined) {
      const text = `${path} is listed again (first on line ${previous.line})`;
      // bagit-python and the conformance suite: repeating an identical line is tolerated before v1.0 only.
      if (previous.digest === entry.digest && !ctx.v1)
        issues.warn('duplicate-entry', `${text} with the same checksum`, at);
      else
        issues.error(
          'duplicate-entry',
          `${text}${previous.digest === entry.digest ? '' : ' with a different checksum'}`,
          at,
        );
      return;
    }
    const key = collisionKey(path);
    const twin = byKey.get(key);
    if (twin !== undefined) {
      const sameNfc = twin.path.normalize('NFC') === path.normalize('NFC');
      const text = `${JSON.stringify(path)} and ${JSON.stringify(twin.path)} (line ${twin.line}) differ only by`;
      if (sameNfc) issues.warn('normalization-variant', `${text} Unicode normalization`, at);
      else issues.warn('case-variant', `${text} letter case; they collide on case-insensitive file systems`, at);
    } else byKey.set(key, entry);
    byPath.set(path, entry);
    entries.push(entry);
  });
  return { file: ctx.file, algorithm: ctx.algorithm, kind: ctx.kind, entries };
}
