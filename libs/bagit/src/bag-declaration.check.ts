// bagit.txt, the bag declaration (RFC 8493 §2.1.1): exactly "BagIt-Version: M.N" then
// "Tag-File-Character-Encoding: ENCODING", UTF-8 without BOM.
import type { IssueList } from './bag.issue.js';
import { readWhole, type BagSource } from './bag.source.js';
import { splitLines, tagDecoder, isUtf8, type TagTextContext } from './tag-text.util.js';

export interface BagDeclaration extends TagTextContext {
  /** "1.0", "0.97", ...; undefined when bagit.txt is missing or unreadable. */
  readonly version: string | undefined;
}

/** Versions whose bags this validator reads: 1.0, and the drafts the conformance suite still exercises. */
const LEGACY_VERSIONS = new Set(['0.93', '0.94', '0.95', '0.96', '0.97']);
const FILE = 'bagit.txt';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the declaration. When it is missing or broken the rest of the bag is still checked, under v1.0 rules and
 * UTF-8, so one run reports as much as possible.
 */
export async function checkDeclaration(source: BagSource, issues: IssueList): Promise<BagDeclaration> {
  const fallback: BagDeclaration = { version: undefined, encoding: 'UTF-8', decode: (b) => utf8.decode(b), v1: true };
  if (!source.files.has(FILE)) {
    issues.error('bagit-txt-missing', 'bagit.txt is missing');
    return fallback;
  }
  const bytes = await readWhole(source, FILE, 4096).catch(() => undefined);
  if (bytes === undefined) {
    issues.error('bagit-txt-invalid', 'bagit.txt is unreadable or implausibly large', { file: FILE });
    return fallback;
  }
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    issues.error('bom', 'the bag declaration must not contain a byte-order mark', { file: FILE });
    body = bytes.subarray(3);
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    issues.error('text-invalid', 'the bag declaration must be UTF-8', { file: FILE });
    return fallback;
  }
  const lines = splitLines(text);
  const versionMatch = /^BagIt-Version: ([0-9]+\.[0-9]+)$/.exec(lines[0] ?? '');
  if (!versionMatch) {
    const shown = JSON.stringify(lines[0] ?? '');
    issues.error('bagit-txt-invalid', `expected "BagIt-Version: M.N", found ${shown}`, { file: FILE, line: 1 });
  }
  const encodingMatch = /^Tag-File-Character-Encoding: (\S.*)$/.exec(lines[1] ?? '');
  if (!encodingMatch) {
    const shown = lines[1] === undefined ? 'no second line' : JSON.stringify(lines[1]);
    issues.error('bagit-txt-invalid', `expected "Tag-File-Character-Encoding: ENCODING", found ${shown}`, {
      file: FILE,
      line: 2,
    });
  }
  lines.slice(2).forEach((line, i) => {
    const at = { file: FILE, line: i + 3 };
    if (line.trim() === '') issues.warn('bagit-txt-invalid', 'blank line after the two declaration lines', at);
    else issues.error('bagit-txt-invalid', 'the bag declaration must have exactly two lines', at);
  });

  const version = versionMatch?.[1];
  let v1 = true;
  if (version !== undefined && version !== '1.0') {
    if (LEGACY_VERSIONS.has(version)) {
      v1 = false;
      issues.warn('version-legacy', `BagIt ${version} predates RFC 8493 (1.0); validated under its older rules`, {
        file: FILE,
      });
    } else {
      issues.error('version-unsupported', `BagIt-Version ${version} is not supported (1.0 and 0.93-0.97 are)`, {
        file: FILE,
        line: 1,
      });
    }
  }
  const encoding = encodingMatch?.[1] ?? 'UTF-8';
  const decode = tagDecoder(encoding);
  if (decode === undefined) {
    issues.error('encoding-unsupported', `tag file encoding ${encoding} is not supported`, { file: FILE, line: 2 });
    return { ...fallback, version, v1 };
  }
  if (!isUtf8(encoding)) {
    issues.warn('encoding-not-utf8', `tag files are declared as ${encoding}; RFC 8493 recommends UTF-8`, {
      file: FILE,
      line: 2,
    });
  }
  return { version, encoding, decode, v1 };
}
