// What every check of verifyPackage shares: the files, the trust anchors, the clock, the BagIt findings, and one
// way to fail that names the item and the file.
import type { TrustStore } from '#evx/pki';
import type { NoteVerifier } from '#evx/tlog';
import type { BagFindings } from './bag-findings.js';
import { FormatError } from './canonical.util.js';
import { MAX_TAG_FILE_BYTES } from './package-format.js';
import type { PackageFiles } from './package-files.reader.js';
import { itemOf } from './package-items.js';
import { CheckFailure, type Checklist } from './verification.result.js';

export interface LogTrust {
  readonly origin: string;
  readonly verifier: NoteVerifier;
}

export class VerifyContext {
  constructor(
    readonly files: PackageFiles,
    readonly findings: BagFindings,
    readonly trust: TrustStore,
    readonly log: LogTrust,
    /** Verification time: revocation data must be current then. */
    readonly now: Date,
    readonly list: Checklist,
  ) {}

  fail(path: string | undefined, detail: string, item: string = path === undefined ? 'package' : itemOf(path)): never {
    throw new CheckFailure(item, path, detail);
  }

  /** The file's bytes; a missing or unreadable file fails verification, naming it. */
  async bytes(path: string, maxBytes = MAX_TAG_FILE_BYTES, item?: string): Promise<Uint8Array> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.files.read(path, maxBytes);
    } catch (error) {
      this.fail(path, `cannot be read: ${(error as Error).message}`, item);
    }
    if (bytes === undefined) this.fail(path, 'is missing', item);
    return bytes;
  }

  /** Reads and parses a document; a FormatError fails verification with the item and file named. */
  async doc<T>(path: string, parse: (bytes: Uint8Array) => T, item?: string): Promise<{ bytes: Uint8Array; value: T }> {
    const bytes = await this.bytes(path, MAX_TAG_FILE_BYTES, item);
    return { bytes, value: this.parse(path, bytes, parse, item) };
  }

  parse<T>(path: string, bytes: Uint8Array, parse: (bytes: Uint8Array) => T, item?: string): T {
    try {
      return parse(bytes);
    } catch (error) {
      if (error instanceof FormatError) this.fail(path, error.message, item);
      throw error;
    }
  }

  /** Fails unless `actual === expected`, naming the file that holds `actual`. */
  expectEqual(path: string, what: string, actual: unknown, expected: unknown, source: string, item?: string): void {
    if (actual !== expected) {
      this.fail(path, `${what} is ${JSON.stringify(actual)}, but ${source} says ${JSON.stringify(expected)}`, item);
    }
  }
}
