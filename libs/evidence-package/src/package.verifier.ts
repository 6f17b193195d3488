// verifyPackage: everything docs/package-format.md §11 asks of an offline verifier, in its order, stopping at the
// first failure and naming the item and file at fault.
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BagArchiveError, openBagArchive, type OpenedBagArchive } from '#evx/bagit';
import { TrustStore } from '#evx/pki';
import { checkAuthorisation } from './authorisation.check.js';
import { BagFindings } from './bag-findings.js';
import { logVerifierFromTrustDir } from './log-anchor.js';
import { checkLog } from './log.check.js';
import { DEFAULT_LOG_ORIGIN, PACKAGE_PATHS } from './package-format.js';
import { ArchivePackageFiles, FolderPackageFiles } from './package-files.reader.js';
import { checkBagInfo, checkLayout } from './package-layout.check.js';
import { parseCustody } from './package-statements.codec.js';
import { checkRecords } from './records.check.js';
import {
  checkCustodyCoverage,
  checkCustodyEvents,
  checkCustodySignature,
  checkDescriptor,
  checkOrigin,
} from './statements.check.js';
import { CheckFailure, Checklist, type PackageScope, type PackageVerification } from './verification.result.js';
import { VerifyContext, type LogTrust } from './verify.context.js';

export interface VerifyPackageOptions {
  /** Trust folder: <domain>/root.crt, ca.crt, ca.crl, root.crl and log/log.pub (the dev PKI layout). */
  readonly trustDir: string;
  /** The log's origin (and note key name); default `evx.local/log`, the vault's default. */
  readonly logOrigin?: string;
  /** Verification time; default the clock. Revocation data must be current at this time. */
  readonly now?: Date;
}

/**
 * Verifies a package file (tar) or folder offline. An invalid package is a result (`valid: false`, `failure`);
 * only problems with the inputs themselves (no such path, an unusable trust folder) throw.
 *
 * `pkg` may also be a package tar the caller opened already with `openBagArchive` (and closes afterwards), e.g.
 * with `hashAhead` so that its payload is being hashed while the caller loads this verifier: the same result as
 * verifying `pkg.path`, provided `openBagArchive` did not refuse it (then pass the path, to get that reported).
 */
export async function verifyPackage(
  pkg: string | OpenedBagArchive,
  options: VerifyPackageOptions,
): Promise<PackageVerification> {
  const path = typeof pkg === 'string' ? pkg : pkg.path;
  const origin = options.logOrigin ?? DEFAULT_LOG_ORIGIN;
  const log: LogTrust = { origin, verifier: await logVerifierFromTrustDir(options.trustDir, origin) };
  const trust = TrustStore.fromDirectory(options.trustDir, { crlRecheckMs: 0 });
  const now = options.now ?? new Date();
  const info = typeof pkg === 'string' ? await stat(path) : pkg.stats;
  const list = new Checklist();
  let bag: string | OpenedBagArchive = pkg;
  let opened: OpenedBagArchive | undefined;
  if (typeof pkg !== 'string') {
    list.pass('archive', ARCHIVE_PASSED);
  } else if (info.isFile()) {
    // Read in place: the tar is indexed by its headers, its files are byte ranges of it, nothing is copied. The
    // large payload files are hashed on worker threads from then on, while the tag files are read and checked.
    try {
      bag = opened = await openBagArchive(path, { hashAhead: true });
    } catch (error) {
      if (!(error instanceof BagArchiveError)) throw error;
      return invalid(list, new CheckFailure('archive', undefined, `${error.message}; nothing was extracted`));
    }
    list.pass('archive', ARCHIVE_PASSED);
  } else if (!info.isDirectory()) {
    throw new Error(`${path} is neither a file nor a folder`);
  }
  try {
    const findings = await BagFindings.of(bag);
    const files = typeof bag === 'string' ? new FolderPackageFiles(bag) : new ArchivePackageFiles(bag);
    const ctx = new VerifyContext(files, findings, trust, log, now, list);
    const result = await verifyUnpacked(ctx);
    // Read in place, the tar is read more than once (tag files by the BagIt check and again by the EVX checks):
    // a file rewritten meanwhile could show each check different bytes, so such a verdict is not given.
    if (typeof bag !== 'string' && changed(bag.stats, await stat(path))) {
      return invalid(
        list,
        new CheckFailure('archive', undefined, 'the file changed while it was being verified; verify it again'),
      );
    }
    return result;
  } catch (error) {
    if (error instanceof CheckFailure) return invalid(list, error);
    throw error;
  } finally {
    await opened?.close();
  }
}

const ARCHIVE_PASSED = 'one uncompressed tar holding one bag, every entry safe; read in place, nothing extracted';

async function verifyUnpacked(ctx: VerifyContext): Promise<PackageVerification> {
  const structural = ctx.findings.structuralFailure();
  if (structural) throw structural;
  ctx.list.pass('bag declaration', 'BagIt 1.0, UTF-8 tag files, no links or unsafe names');
  const files = await ctx.files.list();
  const layout = checkLayout(ctx, files);
  // The receipt time comes first: every certificate is judged at it (docs/package-format.md §10).
  const custody = await ctx.doc(PACKAGE_PATHS.custody, parseCustody);
  const signingTime = new Date(custody.value.receivedAt);
  const custodySigned = await checkCustodySignature(ctx, custody, signingTime);
  const authorisation = await checkAuthorisation(ctx, custody.value, layout.approvalCount, signingTime);
  const origin = await checkOrigin(ctx, custody.value, authorisation.request.statement, signingTime);
  checkCustodyCoverage(ctx, custody.value, origin, authorisation);
  const scope = await checkRecords(ctx, origin.value, custody.value, files);
  const log = await checkLog(ctx, origin, { ...custody, signatureFile: custodySigned.signatureFile });
  await checkCustodyEvents(ctx, custody.value);
  await checkDescriptor(ctx, custody.value, origin.value);
  const disclosed = scope.kind === 'disclosure' ? { kept: scope.recordsPresent, total: scope.recordCount } : undefined;
  await checkBagInfo(ctx, custody.value, disclosed);
  // Every EVX file is now proven; a remaining checksum finding is the manifest's fault (see bag-findings.ts).
  const bagFailure = ctx.findings.remainingFailure(() => true);
  if (bagFailure) throw bagFailure;
  const { octets, files: payloadFiles } = ctx.findings.payload;
  ctx.list.pass(
    'BagIt',
    `valid BagIt 1.0 bag: ${payloadFiles} payload files, ${octets} octets, every manifest entry matches`,
  );
  for (const warning of ctx.findings.warnings) ctx.list.note(`BagIt: ${warning.message}`);
  const c = custody.value;
  return {
    valid: true,
    checks: ctx.list.checks,
    notes: ctx.list.notes,
    scope,
    proves: proves(scope, authorisation.approvals.length, c.receivedAt, log.origin, log.index),
    facts: {
      packageId: c.packageId,
      authorisationId: c.authorisationId,
      taskId: c.taskId,
      providerId: c.providerId,
      recordCount: origin.value.recordCount,
      chainHead: origin.value.chainHead,
      merkleRoot: origin.value.merkleRoot,
      signingTime: c.receivedAt,
      requesterUri: authorisation.request.signer.uri,
      approverUris: authorisation.approvals.map((a) => a.signer.uri),
      adapterUri: origin.signer.uri,
      custodianUri: custodySigned.signer.uri,
      log,
    },
  };
}

function proves(scope: PackageScope, approvals: number, receivedAt: string, logOrigin: string, index: number): string {
  const common = `ordered under an authorisation signed by its requester and ${approvals} approver${approvals === 1 ? '' : 's'}, countersigned by the vault on receipt at ${receivedAt}, anchored as entry ${index} of log ${logOrigin}`;
  if (scope.kind === 'full') {
    return `All ${scope.recordCount} records are present and unchanged: the hash chain and the Merkle root over them match the provider-signed origin statement; ${common}.`;
  }
  return `${scope.recordsPresent} of ${scope.recordCount} records disclosed; each proven included under the provider-signed Merkle root; the hash chain cannot be checked for undisclosed records; ${common}.`;
}

function changed(before: Stats, after: Stats): boolean {
  return (
    before.size !== after.size ||
    before.ino !== after.ino ||
    before.mtimeMs !== after.mtimeMs ||
    before.ctimeMs !== after.ctimeMs
  );
}

function invalid(list: Checklist, failure: CheckFailure): PackageVerification {
  return {
    valid: false,
    checks: list.checks,
    notes: list.notes,
    failure: {
      item: failure.item,
      ...(failure.path === undefined ? {} : { path: failure.path }),
      message: failure.message,
    },
  };
}
