/** What a validation finding is about; stable for programmatic handling, while the message is for people. */
export type BagIssueCode =
  // serialized bags (tar)
  | 'archive-invalid'
  | 'archive-unsafe-entry'
  | 'archive-limit'
  // the file tree itself
  | 'unsafe-file'
  | 'invalid-file-name'
  | 'file-unreadable'
  | 'payload-dir-missing'
  | 'system-file'
  // bagit.txt and text encoding
  | 'bagit-txt-missing'
  | 'bagit-txt-invalid'
  | 'version-unsupported'
  | 'version-legacy'
  | 'encoding-unsupported'
  | 'encoding-not-utf8'
  | 'bom'
  | 'text-invalid'
  // manifests
  | 'manifest-missing'
  | 'algorithm-unsupported'
  | 'manifest-line-invalid'
  | 'manifest-blank-line'
  | 'unsafe-path'
  | 'path-outside-payload'
  | 'payload-in-tag-manifest'
  | 'tag-manifest-lists-tag-manifest'
  | 'path-not-portable'
  | 'path-stray-percent'
  | 'path-leading-dot-slash'
  | 'md5sum-binary-marker'
  | 'duplicate-entry'
  | 'case-variant'
  | 'normalization-variant'
  | 'normalization-mismatch'
  | 'file-missing'
  | 'file-not-in-manifest'
  | 'payload-manifest-not-in-tag-manifest'
  | 'tag-file-unlisted'
  | 'tag-manifests-differ'
  | 'checksum-mismatch'
  // bag-info.txt
  | 'bag-info-invalid'
  | 'oxum-invalid'
  | 'oxum-repeated'
  | 'oxum-mismatch'
  | 'bagging-date-invalid'
  // fetch.txt
  | 'fetch-present'
  | 'fetch-line-invalid'
  | 'fetch-not-in-manifest';

export interface BagIssue {
  readonly severity: 'error' | 'warning';
  readonly code: BagIssueCode;
  /**
   * Bag-relative file the issue is about (in archives, relative to the bag's base directory), except for
   * `archive-*` codes, which name the entry exactly as stored in the archive.
   */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  /** Human-readable, starting with "file:line:" when those are known. */
  readonly message: string;
}

export interface IssueLocation {
  readonly file?: string;
  readonly line?: number;
}

/** Collects findings in the order they were made. */
export class IssueList {
  readonly errors: BagIssue[] = [];
  readonly warnings: BagIssue[] = [];

  error(code: BagIssueCode, text: string, at: IssueLocation = {}): void {
    this.errors.push(issue('error', code, text, at));
  }

  warn(code: BagIssueCode, text: string, at: IssueLocation = {}): void {
    this.warnings.push(issue('warning', code, text, at));
  }

  /** Error for v1.0 bags, warning for older ones: for rules the RFC introduced or tightened in 1.0. */
  strict(v1: boolean, code: BagIssueCode, text: string, at: IssueLocation = {}): void {
    if (v1) this.error(code, text, at);
    else this.warn(code, text, at);
  }
}

function issue(severity: BagIssue['severity'], code: BagIssueCode, text: string, at: IssueLocation): BagIssue {
  const where = at.file === undefined ? '' : at.line === undefined ? `${at.file}: ` : `${at.file}:${at.line}: `;
  return {
    severity,
    code,
    ...(at.file === undefined ? {} : { file: at.file }),
    ...(at.line === undefined ? {} : { line: at.line }),
    message: `${where}${text}`,
  };
}
