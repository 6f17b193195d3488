// Names, paths and limits of the evidence package format v1 (docs/package-format.md). Everything a verifier and the
// builder must agree on byte for byte lives here, so the two cannot drift apart.

/** Value of the `type` member of each canonical JSON document: the document kind and the format version. */
export const DOC_TYPE = {
  record: 'evx.record.v1',
  package: 'evx.package.v1',
  request: 'evx.authorisation-request.v1',
  approval: 'evx.approval.v1',
  origin: 'evx.origin.v1',
  custody: 'evx.custody.v1',
  custodyEvent: 'evx.custody-event.v1',
  signature: 'evx.signature.v1',
  commitment: 'evx.package-commitment.v1',
  disclosure: 'evx.disclosure.v1',
} as const;

/**
 * Domain-separation prefixes: the signature input is `prefix || statement bytes`, so a signature made for one kind
 * of statement can never be presented as a signature over another, nor over anything outside EVX.
 */
export const SIGNATURE_PREFIX = {
  request: 'EVX-REQUEST-v1\n',
  approval: 'EVX-APPROVAL-v1\n',
  origin: 'EVX-ORIGIN-v1\n',
  custody: 'EVX-CUSTODY-v1\n',
} as const;
export type StatementKind = keyof typeof SIGNATURE_PREFIX;

/** The one signature algorithm of format v1 (evx.v1.SignatureAlgorithm): RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32. */
export const SIGNATURE_ALGORITHM = 'SIGNATURE_ALGORITHM_RSA_PSS_SHA256';
export const PSS_SALT_LENGTH = 32;
export const MIN_RSA_BITS = 2048;

export const PACKAGE_PATHS = {
  descriptor: 'evx/package.json',
  request: 'evx/authorisation/request.json',
  requestSignature: 'evx/authorisation/request.sig.json',
  origin: 'evx/origin.json',
  originSignature: 'evx/origin.sig.json',
  custody: 'evx/custody.json',
  custodySignature: 'evx/custody.sig.json',
  custodyEvents: 'evx/custody-events.jsonl',
  checkpoint: 'evx/log/checkpoint',
  tlogProof: 'evx/log/package.tlog-proof',
  disclosure: 'evx/disclosure.json',
} as const;

/** Record files are named by sequence number, zero-padded to this width, so name order is sequence order. */
export const RECORD_NAME_WIDTH = 8;
export const MAX_RECORDS = 99_999_999;
export const MAX_RECORD_BYTES = 1024 ** 3;
export const MAX_APPROVALS = 99;

export function recordPayloadPath(sequence: number): string {
  return `data/records/${String(sequence).padStart(RECORD_NAME_WIDTH, '0')}.bin`;
}

export function recordMetadataPath(sequence: number): string {
  return `data/records/${String(sequence).padStart(RECORD_NAME_WIDTH, '0')}.json`;
}

export function approvalPath(number: number): string {
  return `evx/authorisation/approvals/${String(number).padStart(2, '0')}.json`;
}

export function approvalSignaturePath(number: number): string {
  return `evx/authorisation/approvals/${String(number).padStart(2, '0')}.sig.json`;
}

/** The tar's single top-level directory. */
export function packageBaseName(packageId: string, disclosure: boolean): string {
  return `evx-${disclosure ? 'disclosure' : 'package'}-${packageId}`;
}

/** Largest EVX tag file a verifier reads into memory (disclosure.json with many proofs is the big one). */
export const MAX_TAG_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The log origin `npx evx verify` expects when none is given: the vault's default (VAULT_LOG_ORIGIN). */
export const DEFAULT_LOG_ORIGIN = 'evx.local/log';

export interface BagInfoFacts {
  readonly packageId: string;
  readonly authorisationId: string;
  readonly taskId: string;
  readonly providerId: string;
}

/**
 * bag-info.txt fields before the `Bagging-Date` (UTC day of the receipt) and `Payload-Oxum` the bag writer adds.
 * A disclosure says how many of the package's records it holds.
 */
export function packageBagInfo(facts: BagInfoFacts, disclosure?: { kept: number; total: number }): [string, string][] {
  const scope = disclosure ? `; disclosure of ${disclosure.kept} of ${disclosure.total} records` : '';
  return [
    ['Source-Organization', facts.providerId],
    ['External-Identifier', facts.packageId],
    [
      'External-Description',
      `EVX evidence package ${DOC_TYPE.package} for authorisation ${facts.authorisationId}, task ${facts.taskId}${scope}`,
    ],
  ];
}
