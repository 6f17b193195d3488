// Validates a bag in a directory or in a tar (read in place, never extracted). See README.md for the rules.
import { stat } from 'node:fs/promises';
import type { BagArchiveProblem } from './bag.errors.js';
import { IssueList, type BagIssue, type BagIssueCode } from './bag.issue.js';
import { loadDirectorySource, type BagSource } from './bag.source.js';
import { checkContents } from './bag-content.checker.js';
import { checkDeclaration } from './bag-declaration.check.js';
import { DEFAULT_TAR_LIMITS, indexTarArchive, type TarLimits, type TarProblem } from './tar.reader.js';
import type { OpenedBagArchive } from './tar.archive.js';
import { locateTarBag, tarBagSource } from './tar.source.js';

export interface BagValidationOptions {
  /** Limits for archives; see `DEFAULT_TAR_LIMITS`. */
  readonly archiveLimits?: Partial<TarLimits>;
  /** Largest tag file (manifests included) read into memory; default 64 MiB. */
  readonly maxTagFileBytes?: number;
  /**
   * Called with the digests of each file the manifests list, once it has been read and hashed (with every
   * algorithm the manifests ask for), so a caller can use them instead of reading the file again.
   */
  readonly onFileHashed?: (path: string, digests: Readonly<Record<string, string>>, octets: number) => void;
  /** Threads hashing large files, several at once; default the CPUs (up to 4); 0 hashes on the calling thread. */
  readonly hashWorkers?: number;
}

export interface BagValidationResult {
  /** True when there is no error; warnings do not make a bag invalid. */
  readonly valid: boolean;
  readonly errors: readonly BagIssue[];
  readonly warnings: readonly BagIssue[];
  readonly format: 'directory' | 'tar';
  /** For archives: the top-level directory holding the bag ('' when the bag is at the archive root). */
  readonly baseName?: string;
  /** From bagit.txt, when readable. */
  readonly version?: string;
  readonly encoding?: string;
  readonly payloadAlgorithms: readonly string[];
  readonly tagAlgorithms: readonly string[];
  /** What the payload actually holds (Payload-Oxum is compared against this). */
  readonly payload: { readonly octets: number; readonly files: number };
}

const DEFAULT_MAX_TAG_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Validates the bag at `path`: a directory, or a file holding an uncompressed tar. Problems with the bag are
 * reported in the result, never thrown; only a `path` that cannot be read at all throws.
 */
export async function validateBag(path: string, options: BagValidationOptions = {}): Promise<BagValidationResult> {
  const info = await stat(path);
  const issues = new IssueList();
  let source: BagSource;
  let baseName: string | undefined;
  if (info.isDirectory()) {
    source = await loadDirectorySource(path, issues);
  } else if (info.isFile()) {
    const index = await indexTarArchive(path, { ...DEFAULT_TAR_LIMITS, ...options.archiveLimits });
    for (const problem of index.problems) reportArchiveProblem(problem, issues);
    if (index.problems.length > 0) return result(issues, 'tar');
    const bag = locateTarBag(index);
    if ('problem' in bag) {
      reportArchiveProblem(bag, issues);
      return result(issues, 'tar');
    }
    baseName = bag.baseName;
    source = tarBagSource(path, bag);
  } else {
    throw new Error(`${path} is neither a directory nor a regular file`);
  }

  return validateSource(source, info.isDirectory() ? 'directory' : 'tar', baseName, issues, options);
}

/**
 * Validates a bag archive already opened (and so already checked against the archive rules) by `openBagArchive`,
 * in place: the same result as `validateBag` on the archive's path, without indexing it again.
 */
export async function validateBagArchive(
  archive: OpenedBagArchive,
  options: BagValidationOptions = {},
): Promise<BagValidationResult> {
  return validateSource(archive.source, 'tar', archive.baseName, new IssueList(), options);
}

async function validateSource(
  source: BagSource,
  format: 'directory' | 'tar',
  baseName: string | undefined,
  issues: IssueList,
  options: BagValidationOptions,
): Promise<BagValidationResult> {
  const declaration = await checkDeclaration(source, issues);
  const report = await checkContents(
    source,
    declaration,
    options.maxTagFileBytes ?? DEFAULT_MAX_TAG_FILE_BYTES,
    issues,
    { onFileHashed: options.onFileHashed, workers: options.hashWorkers },
  );
  return {
    ...result(issues, format),
    ...(baseName === undefined ? {} : { baseName }),
    ...(declaration.version === undefined ? {} : { version: declaration.version, encoding: declaration.encoding }),
    payloadAlgorithms: report.payloadAlgorithms,
    tagAlgorithms: report.tagAlgorithms,
    payload: { octets: report.octets, files: report.files },
  };
}

function result(issues: IssueList, format: 'directory' | 'tar'): BagValidationResult {
  return {
    valid: issues.errors.length === 0,
    errors: issues.errors,
    warnings: issues.warnings,
    format,
    payloadAlgorithms: [],
    tagAlgorithms: [],
    payload: { octets: 0, files: 0 },
  };
}

const ARCHIVE_CODES: Readonly<Record<BagArchiveProblem, BagIssueCode>> = {
  'not-a-tar': 'archive-invalid',
  compressed: 'archive-invalid',
  truncated: 'archive-invalid',
  'bad-header': 'archive-invalid',
  'trailing-data': 'archive-invalid',
  layout: 'archive-invalid',
  'unsupported-entry': 'archive-unsafe-entry',
  'unsafe-name': 'archive-unsafe-entry',
  'duplicate-name': 'archive-unsafe-entry',
  'name-collision': 'archive-unsafe-entry',
  'file-directory-conflict': 'archive-unsafe-entry',
  'too-many-entries': 'archive-limit',
  'too-large': 'archive-limit',
};

function reportArchiveProblem(problem: TarProblem, issues: IssueList): void {
  const code = ARCHIVE_CODES[problem.problem];
  if (problem.entry === undefined) issues.error(code, problem.message);
  else
    issues.error(code, `archive entry ${JSON.stringify(problem.entry)}: ${problem.message}`, { file: problem.entry });
}
