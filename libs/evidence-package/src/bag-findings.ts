// BagIt validation (RFC 8493, via #evx/bagit) seen through the package: structural problems stop verification at
// once; checksum findings are held back until the EVX checks have run, because only then is it known which side of
// a mismatch is authentic: a file proven by signatures means its manifest line is wrong, and vice versa.
import {
  validateBag,
  validateBagArchive,
  type BagIssue,
  type BagIssueCode,
  type BagValidationOptions,
  type BagValidationResult,
  type OpenedBagArchive,
} from '#evx/bagit';
import { MAX_TAG_FILE_BYTES } from './package-format.js';
import { itemOf } from './package-items.js';
import { CheckFailure } from './verification.result.js';

/** Problems that make the bag unsafe or unreadable as a whole: reported before anything else is read. */
const STRUCTURAL: ReadonlySet<BagIssueCode> = new Set<BagIssueCode>([
  'archive-invalid',
  'archive-unsafe-entry',
  'archive-limit',
  'unsafe-file',
  'invalid-file-name',
  'file-unreadable',
  'payload-dir-missing',
  'bagit-txt-missing',
  'bagit-txt-invalid',
  'version-unsupported',
  'encoding-unsupported',
  'bom',
]);

const MANIFEST_REFERENCE = /((?:tag)?manifest-[a-z0-9]+\.txt):(\d+) says/;
const PAYLOAD_MANIFEST = /^manifest-[a-z0-9]+\.txt$/;

export interface FileDigest {
  readonly size: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

export class BagFindings {
  private constructor(
    readonly result: BagValidationResult,
    private readonly digests: ReadonlyMap<string, FileDigest>,
  ) {}

  /** Validates the bag in a folder, or in a tar already opened (and checked) by `openBagArchive`, read in place. */
  static async of(bag: string | OpenedBagArchive): Promise<BagFindings> {
    const digests = new Map<string, FileDigest>();
    const options: BagValidationOptions = {
      maxTagFileBytes: MAX_TAG_FILE_BYTES,
      onFileHashed: (path, hashes, size) => {
        const sha256 = hashes['sha256'];
        if (sha256 !== undefined) digests.set(path, { size, sha256 });
      },
    };
    const result = typeof bag === 'string' ? await validateBag(bag, options) : await validateBagArchive(bag, options);
    return new BagFindings(result, digests);
  }

  /**
   * Size and SHA-256 of the file's content as read while checking the manifests, so the records check need not read
   * and hash the payloads again; undefined when no SHA-256 manifest listed the file (it must then be read).
   */
  digest(path: string): FileDigest | undefined {
    return this.digests.get(path);
  }

  /** A problem with the bag as a whole, or undefined. EVX packages are BagIt 1.0 in UTF-8. */
  structuralFailure(): CheckFailure | undefined {
    const issue = this.result.errors.find((e) => STRUCTURAL.has(e.code));
    if (issue) return failureAt(issue.file, issue.message);
    if (this.result.version !== '1.0') {
      return new CheckFailure(
        'bag declaration',
        'bagit.txt',
        `BagIt version ${this.result.version ?? '?'}; EVX packages are BagIt 1.0`,
      );
    }
    if (this.result.encoding?.toUpperCase() !== 'UTF-8') {
      return new CheckFailure(
        'bag declaration',
        'bagit.txt',
        `tag file encoding ${this.result.encoding ?? '?'}; want UTF-8`,
      );
    }
    return undefined;
  }

  /** Whether a manifest says the file's content differs from what was bagged: a hint at which file was altered. */
  altered(path: string): boolean {
    return this.result.errors.some((e) => e.code === 'checksum-mismatch' && e.file === path);
  }

  /** Payload octets and file count as found (for Payload-Oxum). */
  get payload(): { octets: number; files: number } {
    return this.result.payload;
  }

  get warnings(): readonly BagIssue[] {
    return this.result.warnings.filter((w) => w.code !== 'tag-file-unlisted');
  }

  /**
   * The first remaining BagIt problem, blamed on the right file. `authentic(path)` says whether the EVX checks
   * proved the file's content; a payload manifest counts as authentic when none of its own lines is wrong.
   */
  remainingFailure(authentic: (path: string) => boolean): CheckFailure | undefined {
    const unlisted = this.result.warnings.filter((w) => w.code === 'tag-file-unlisted');
    const issues = [...this.result.errors.filter((e) => !STRUCTURAL.has(e.code)), ...unlisted];
    const blameOf = (issue: BagIssue, trusted: (path: string) => boolean): CheckFailure => {
      const file = issue.file;
      if (issue.code === 'tag-file-unlisted' && file !== undefined) {
        return new CheckFailure('tag manifest', 'tagmanifest-sha256.txt', `does not list the tag file ${file}`);
      }
      if (issue.code === 'file-not-in-manifest' && file !== undefined) {
        const manifest = /is not listed in (\S+)$/.exec(issue.message)?.[1] ?? 'manifest-sha256.txt';
        return new CheckFailure(itemOf(manifest), manifest, `does not list the payload file ${file}`);
      }
      const reference = MANIFEST_REFERENCE.exec(issue.message);
      if (issue.code === 'checksum-mismatch' && file !== undefined && reference) {
        const [, manifest = '', line = ''] = reference;
        if (trusted(file)) {
          return new CheckFailure(
            itemOf(manifest),
            manifest,
            `line ${line}: the checksum listed for ${file} is wrong; ${file} itself is authentic (proven by the signed statements)`,
          );
        }
        return new CheckFailure(
          itemOf(file),
          file,
          `content does not match its checksum in ${manifest} line ${line}: the file was altered`,
        );
      }
      return failureAt(file, issue.message);
    };
    // A payload manifest is to blame for its own wrong lines; when it has none, a mismatch on it is the tag manifest's.
    const payloadManifestFaulty = (manifest: string): boolean =>
      issues.some((issue) => issue.file !== manifest && blameOf(issue, authentic).path === manifest);
    const trusted = (path: string): boolean =>
      PAYLOAD_MANIFEST.test(path) ? !payloadManifestFaulty(path) : authentic(path);
    const first = issues[0];
    return first === undefined ? undefined : blameOf(first, trusted);
  }
}

function failureAt(file: string | undefined, message: string): CheckFailure {
  // BagIt messages start with "file:line: " when they know them; keep the line, drop the repeated file name.
  const detail = file !== undefined && message.startsWith(`${file}:`) ? message.slice(file.length + 1).trim() : message;
  if (file === undefined) return new CheckFailure('bag', undefined, message);
  return new CheckFailure(itemOf(file), file, detail.replace(/^(\d+):\s*/, 'line $1: '));
}
