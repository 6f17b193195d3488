/** Why the writer refused a path; stable for programmatic handling, while the message is for people. */
export type BagPathProblem =
  | 'empty'
  | 'absolute'
  | 'backslash'
  | 'nul'
  | 'control-character'
  | 'empty-segment'
  | 'dot-segment'
  | 'drive-letter'
  | 'home-shortcut'
  | 'not-in-payload'
  | 'in-payload'
  | 'reserved-name'
  | 'duplicate'
  | 'case-or-normalization-collision'
  | 'file-directory-conflict'
  | 'out-of-order'
  | 'invalid-utf8';

/** Thrown by the writer when a caller-supplied path cannot be stored safely and portably. */
export class BagPathError extends Error {
  override readonly name = 'BagPathError';

  constructor(
    readonly problem: BagPathProblem,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by the writer for anything else the caller got wrong (sizes, metadata, call order) or I/O failures. */
export class BagWriteError extends Error {
  override readonly name = 'BagWriteError';
}

/** Why an archive was refused before or during extraction. */
export type BagArchiveProblem =
  | 'not-a-tar'
  | 'compressed'
  | 'truncated'
  | 'bad-header'
  | 'unsupported-entry'
  | 'unsafe-name'
  | 'duplicate-name'
  | 'name-collision'
  | 'file-directory-conflict'
  | 'too-many-entries'
  | 'too-large'
  | 'trailing-data'
  | 'layout';

/** Thrown by `extractBagArchive` (the validator reports the same problems as issues instead of throwing). */
export class BagArchiveError extends Error {
  override readonly name = 'BagArchiveError';

  constructor(
    readonly problem: BagArchiveProblem,
    message: string,
    /** Name of the offending entry as stored in the archive, when there is one. */
    readonly entry?: string,
  ) {
    super(message);
  }
}
