// BagIt 1.0 (RFC 8493) for evidence packages: a streaming deterministic writer (directory or tar), a strict
// validator for directories and tars read in place, and safe extraction of bag archives. See README.md.
export {
  BagWriter,
  type BagFileRecord,
  type BagSummary,
  type BagTarOptions,
  type BagWriterOptions,
  type PayloadSource,
} from './bag.writer.js';
export type { BagInfoField } from './tag-file.builder.js';
export {
  validateBag,
  validateBagArchive,
  type BagValidationOptions,
  type BagValidationResult,
} from './bag.validator.js';
export type { BagIssue, BagIssueCode } from './bag.issue.js';
export {
  extractBagArchive,
  openBagArchive,
  type ExtractOptions,
  type ExtractedBag,
  type OpenBagArchiveOptions,
  type OpenedBagArchive,
} from './tar.archive.js';
export { readWhole, type BagSource } from './bag.source.js';
export { DEFAULT_TAR_LIMITS, type TarLimits } from './tar.reader.js';
export {
  BagArchiveError,
  BagPathError,
  BagWriteError,
  type BagArchiveProblem,
  type BagPathProblem,
} from './bag.errors.js';
export { compareBagPaths, decodeManifestPath, encodeManifestPath } from './bag-path.util.js';
export { supportedAlgorithms, type BagAlgorithm } from './checksum.util.js';
export {
  defaultHashWorkers,
  HashPool,
  type FileRange,
  type HashOutcome,
  type HashPoolOptions,
} from './checksum.pool.js';
export type { HashAheadOptions } from './checksum.ahead.js';
