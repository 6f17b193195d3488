// What verifyPackage reports: every check that passed, the first failure naming the item and file, notes that do
// not invalidate the package, and what a valid package proves.

export interface PackageCheck {
  /** Short name, e.g. "records", "origin signature", "log proof". */
  readonly name: string;
  /** What was established, for people. */
  readonly detail: string;
}

export interface PackageFailure {
  /** The item at fault, e.g. "record 17", "approval 2 (judge)", "origin signature", "archive". */
  readonly item: string;
  /** Bag-relative file, when one is at fault. */
  readonly path?: string;
  /** The full message, starting with the item and path: `record 17 (data/records/00000017.bin): sha256 mismatch`. */
  readonly message: string;
}

export interface PackageScope {
  readonly kind: 'full' | 'disclosure';
  /** Records in the package as signed by the provider. */
  readonly recordCount: number;
  /** Sequence numbers of the records present (all of them for a full package). */
  readonly recordsPresent: number;
  readonly disclosedSequenceNumbers?: readonly number[];
}

export interface PackageFacts {
  readonly packageId: string;
  readonly authorisationId: string;
  readonly taskId: string;
  readonly providerId: string;
  readonly recordCount: number;
  readonly chainHead: string;
  readonly merkleRoot: string;
  /** The custody receipt time: the time every certificate is judged at. */
  readonly signingTime: string;
  readonly requesterUri: string;
  readonly approverUris: readonly string[];
  readonly adapterUri: string;
  readonly custodianUri: string;
  readonly log: { readonly origin: string; readonly index: number; readonly treeSize: number };
}

export interface PackageVerification {
  readonly valid: boolean;
  readonly checks: readonly PackageCheck[];
  readonly failure?: PackageFailure;
  /** Facts that do not invalidate the package but a reader should know (e.g. a signer revoked after signing). */
  readonly notes: readonly string[];
  readonly scope?: PackageScope;
  /** What a valid package proves, in one sentence. */
  readonly proves?: string;
  readonly facts?: PackageFacts;
}

/** Stops verification at the first failure; verifyPackage turns it into `failure`. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';

  constructor(
    readonly item: string,
    readonly path: string | undefined,
    readonly detail: string,
  ) {
    super(path === undefined ? `${item}: ${detail}` : `${item} (${path}): ${detail}`);
  }
}

/** Collects passed checks and notes in order. */
export class Checklist {
  readonly checks: PackageCheck[] = [];
  readonly notes: string[] = [];

  pass(name: string, detail: string): void {
    this.checks.push({ name, detail });
  }

  note(text: string): void {
    this.notes.push(text);
  }
}
