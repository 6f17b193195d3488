// Builds an evidence package (docs/package-format.md) in one streaming pass: records go straight into the tar while
// their hashes feed the chain and the Merkle tree; then the origin statement is signed, custody countersigned, the
// commitment anchored in the log, and the tag files written. Memory does not grow with payload sizes, and the same
// inputs give the same bytes (only the signers' fresh RSA-PSS signatures differ between runs).
import type { Writable } from 'node:stream';
import { BagWriter } from '#evx/bagit';
import { hashLeaf, verifyInclusion } from '#evx/merkle';
import { parseCheckpoint, parseTlogProof } from '#evx/tlog';
import { FormatError, formatTime, hex, isUuid, sha256Hex } from './canonical.util.js';
import { evxUriOf } from './certificate.util.js';
import { RECEIVED_EVENT, encodeCustodyEvents, type CustodyEvent } from './custody-events.codec.js';
import type { LogAnchor } from './log-anchor.js';
import { addRecords, type PackageRecordInput } from './package-records.writer.js';
import {
  writeAuthorisationFiles,
  checkAuthorisationInput,
  type SignedAuthorisation,
} from './package-authorisation.files.js';
import {
  encodeCustody,
  encodeDescriptor,
  encodeOrigin,
  packageCommitmentLeaf,
  type PackageDescriptor,
} from './package-statements.codec.js';
import { PACKAGE_PATHS, packageBagInfo, packageBaseName } from './package-format.js';
import { SEGMENT } from './schema.util.js';
import { signStatement, type StatementSigner } from './statement.signer.js';
import { openTarOutput } from './tar-output.util.js';

export interface CustodyEventInput {
  readonly event: string;
  readonly at: Date;
  readonly actorUri: string;
  readonly details?: Readonly<Record<string, string | number>>;
}

export interface BuildPackageOptions {
  readonly packageId: string;
  readonly authorisationId: string;
  readonly taskId: string;
  readonly uploadId: string;
  readonly providerId: string;
  /** The signed order and approvals, exactly as signed (statement bytes and signature files). */
  readonly authorisation: SignedAuthorisation;
  /** In package order; sequence numbers 1, 2, 3, ... are assigned in this order. */
  readonly records: AsyncIterable<PackageRecordInput> | Iterable<PackageRecordInput>;
  /** The provider's adapter key and the time it signs (an explicit time: the builder never reads the clock). */
  readonly origin: { readonly signer: StatementSigner; readonly signedAt: Date };
  /** The vault's key, the time of receipt, and the chain-of-custody events before it (the receipt is added). */
  readonly custody: {
    readonly signer: StatementSigner;
    readonly receivedAt: Date;
    readonly events?: readonly CustodyEventInput[];
  };
  readonly log: LogAnchor;
  /** A file path (created; must not exist) or a stream (ended when done). */
  readonly out: string | Writable;
  /** Where payloads are spooled if ever needed; default os.tmpdir(). */
  readonly spoolDir?: string;
}

export interface BuiltPackage {
  readonly packageId: string;
  readonly recordCount: number;
  readonly payloadBytes: number;
  readonly chainHead: string;
  readonly merkleRoot: string;
  /** The exact leaf given to the log. */
  readonly commitmentLeaf: Uint8Array;
  readonly logIndex: number;
  /** The tar: size in bytes and SHA-256 (evx.v1.PackageFile). */
  readonly size: number;
  readonly sha256: string;
}

export async function buildPackage(options: BuildPackageOptions): Promise<BuiltPackage> {
  checkIds(options);
  checkAuthorisationInput(options.authorisation, options);
  const adapterUri = evxUriOf(firstCertificate(options.origin.signer, 'origin'));
  if (!adapterUri.startsWith(`evx://provider/${options.providerId}/adapter/`)) {
    throw new FormatError(`the origin signer ${adapterUri} is not an adapter of provider ${options.providerId}`);
  }
  const output = await openTarOutput(options.out);
  const writer = BagWriter.toTar(output.stream, {
    baseName: packageBaseName(options.packageId, false),
    baggingDate: options.custody.receivedAt,
    bagInfo: packageBagInfo(options),
    ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}),
  });
  try {
    const records = await addRecords(writer, options.records);
    const summary = { count: records.count, chainHead: hex(records.chainHead), merkleRoot: hex(records.merkleRoot) };
    const signed = await signStatements(options, adapterUri, { ...summary, payloadBytes: records.payloadBytes });
    const commitmentLeaf = packageCommitmentLeaf({
      packageId: options.packageId,
      authorisationId: options.authorisationId,
      taskId: options.taskId,
      providerId: options.providerId,
      recordCount: summary.count,
      chainHead: summary.chainHead,
      merkleRoot: summary.merkleRoot,
      originSha256: sha256Hex(signed.origin),
      originSignatureSha256: sha256Hex(signed.originSignature),
      custodySha256: sha256Hex(signed.custody),
      custodySignatureSha256: sha256Hex(signed.custodySignature),
    });
    const anchored = await anchor(options.log, commitmentLeaf);

    const descriptor: PackageDescriptor = {
      ...pickIds(options),
      recordCount: summary.count,
      chainHead: summary.chainHead,
      merkleRoot: summary.merkleRoot,
    };
    writer.addTagFile(PACKAGE_PATHS.descriptor, encodeDescriptor(descriptor));
    writeAuthorisationFiles(writer, options.authorisation);
    writer.addTagFile(PACKAGE_PATHS.origin, signed.origin);
    writer.addTagFile(PACKAGE_PATHS.originSignature, signed.originSignature);
    writer.addTagFile(PACKAGE_PATHS.custody, signed.custody);
    writer.addTagFile(PACKAGE_PATHS.custodySignature, signed.custodySignature);
    writer.addTagFile(PACKAGE_PATHS.custodyEvents, signed.events);
    writer.addTagFile(PACKAGE_PATHS.checkpoint, Buffer.from(anchored.checkpoint, 'utf8'));
    writer.addTagFile(PACKAGE_PATHS.tlogProof, Buffer.from(anchored.tlogProof, 'utf8'));
    await writer.finish();
    const file = await output.done();
    return {
      packageId: options.packageId,
      recordCount: summary.count,
      payloadBytes: records.payloadBytes,
      chainHead: summary.chainHead,
      merkleRoot: summary.merkleRoot,
      commitmentLeaf,
      logIndex: anchored.index,
      ...file,
    };
  } catch (error) {
    await writer.abort();
    await output.fail();
    throw error;
  }
}

interface SignedStatements {
  readonly origin: Uint8Array;
  readonly originSignature: Uint8Array;
  readonly events: Uint8Array;
  readonly custody: Uint8Array;
  readonly custodySignature: Uint8Array;
}

/** The provider's origin statement, then the vault's countersignature over it and the order (§5, §7). */
async function signStatements(
  options: BuildPackageOptions,
  adapterUri: string,
  records: { count: number; payloadBytes: number; chainHead: string; merkleRoot: string },
): Promise<SignedStatements> {
  const origin = encodeOrigin({
    authorisationId: options.authorisationId,
    requestSha256: sha256Hex(options.authorisation.request.statement),
    taskId: options.taskId,
    uploadId: options.uploadId,
    providerId: options.providerId,
    adapterUri,
    recordCount: records.count,
    chainHead: records.chainHead,
    merkleRoot: records.merkleRoot,
    signedAt: formatTime(options.origin.signedAt),
  });
  const originSignature = await signStatement('origin', origin, options.origin.signer);
  const custodianUri = evxUriOf(firstCertificate(options.custody.signer, 'custody'));
  const receivedAt = formatTime(options.custody.receivedAt);
  const events = custodyEvents(options.custody.events ?? [], custodianUri, receivedAt, records);
  const custody = encodeCustody({
    packageId: options.packageId,
    authorisationId: options.authorisationId,
    taskId: options.taskId,
    providerId: options.providerId,
    custodianUri,
    receivedAt,
    origin: { statementSha256: sha256Hex(origin), signatureSha256: sha256Hex(originSignature) },
    authorisation: {
      request: hashesOf(options.authorisation.request),
      approvals: options.authorisation.approvals.map(hashesOf),
    },
    custodyEventsSha256: sha256Hex(events),
  });
  const custodySignature = await signStatement('custody', custody, options.custody.signer);
  return { origin, originSignature, events, custody, custodySignature };
}

/**
 * Commits the leaf to the log and checks the answer before it goes into the package: the proof must lead from
 * this leaf to the root of the checkpoint returned (its signature is the verifier's business, with the trust folder).
 */
async function anchor(
  log: LogAnchor,
  leaf: Uint8Array,
): Promise<{ checkpoint: string; tlogProof: string; index: number }> {
  const anchored = await log.commit(leaf);
  const proof = parseTlogProof(anchored.tlogProof);
  if (proof.checkpoint !== anchored.checkpoint) {
    throw new FormatError('the log returned a tlog-proof whose checkpoint is not the checkpoint it returned');
  }
  const body = anchored.checkpoint.slice(0, anchored.checkpoint.lastIndexOf('\n\n') + 1);
  const checkpoint = parseCheckpoint(body);
  try {
    verifyInclusion(hashLeaf(leaf), proof.index, checkpoint.size, proof.proof, checkpoint.rootHash);
  } catch (error) {
    throw new FormatError(`the log's proof does not prove the package commitment: ${(error as Error).message}`);
  }
  return { ...anchored, index: proof.index };
}

function custodyEvents(
  prior: readonly CustodyEventInput[],
  custodianUri: string,
  receivedAt: string,
  records: { count: number; payloadBytes: number },
): Uint8Array {
  const events: CustodyEvent[] = prior.map((e, i) => ({
    sequence: i + 1,
    event: e.event,
    at: formatTime(e.at),
    actorUri: e.actorUri,
    details: e.details ?? {},
  }));
  events.push({
    sequence: events.length + 1,
    event: RECEIVED_EVENT,
    at: receivedAt,
    actorUri: custodianUri,
    details: { payloadBytes: records.payloadBytes, recordCount: records.count },
  });
  return encodeCustodyEvents(events);
}

function hashesOf(signed: { statement: Uint8Array; signature: Uint8Array }) {
  return { statementSha256: sha256Hex(signed.statement), signatureSha256: sha256Hex(signed.signature) };
}

function pickIds(o: BuildPackageOptions) {
  const { packageId, authorisationId, taskId, uploadId, providerId } = o;
  return { packageId, authorisationId, taskId, uploadId, providerId };
}

function checkIds(o: BuildPackageOptions): void {
  for (const [name, value] of Object.entries(pickIds(o))) {
    const ok = name === 'providerId' ? SEGMENT.test(value) : isUuid(value);
    if (!ok)
      throw new FormatError(
        `${name} ${JSON.stringify(value)} is not a valid ${name === 'providerId' ? 'provider id' : 'lowercase UUID'}`,
      );
  }
}

function firstCertificate(signer: StatementSigner, what: string): Uint8Array {
  const [leaf] = signer.certificates;
  if (leaf === undefined) throw new FormatError(`the ${what} signer has no certificate`);
  return leaf;
}
