// Checks on what callers hand the writer, run before anything is written.
import { BagPathError, BagWriteError, type BagPathProblem } from './bag.errors.js';
import { describePathProblem, hasControlCharacter, pathSyntaxProblem } from './bag-path.util.js';
import type { BagTarOptions, BagWriterOptions } from './bag.writer.js';
import { baggingDay, checkBagInfoFields } from './tag-file.builder.js';

export function checkOptions(options: BagWriterOptions): void {
  baggingDay(options.baggingDate);
  checkBagInfoFields(options.bagInfo ?? []);
  if (options.algorithms?.length === 0) throw new BagWriteError('at least one manifest algorithm is required');
  for (const alg of options.algorithms ?? []) {
    if (alg !== 'sha256' && alg !== 'sha512') throw new BagWriteError(`unsupported algorithm ${String(alg)}`);
  }
}

export function checkTarOptions(options: BagTarOptions): void {
  checkOptions(options);
  const base = options.baseName;
  if (base.includes('/') || pathSyntaxProblem(base) !== undefined || hasControlCharacter(base)) {
    throw new BagWriteError(`baseName ${JSON.stringify(base)} must be one safe path segment`);
  }
}

export function pathProblem(path: string): BagPathProblem | undefined {
  if (/\p{Cs}/u.test(path)) return 'invalid-utf8';
  return pathSyntaxProblem(path) ?? (hasControlCharacter(path) ? 'control-character' : undefined);
}

export function pathError(problem: BagPathProblem, path: string): BagPathError {
  return new BagPathError(problem, path, `${JSON.stringify(path)}: ${describePathProblem(problem)}`);
}
