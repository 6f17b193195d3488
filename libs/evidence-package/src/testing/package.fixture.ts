// Fixtures for package tests: signers from the dev PKI, a signed order with approvals, synthetic records, and a
// one-call build. Times are derived once from the clock at load, so every build in a test run uses the same ones.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { approverRoleValue, encodeApproval, encodeAuthorisationRequest } from '../authorisation.codec.js';
import { sha256Hex } from '../canonical.util.js';
import { evxUriOf, organizationalUnitsOf } from '../certificate.util.js';
import type { LogAnchor } from '../log-anchor.js';
import { buildPackage, type BuildPackageOptions, type BuiltPackage } from '../package.builder.js';
import type { SignedAuthorisation } from '../package-authorisation.files.js';
import type { PackageRecordInput } from '../package-records.writer.js';
import { pemStatementSigner, signStatement, type StatementSigner } from '../statement.signer.js';
import { InMemoryLogAnchor, TEST_LOG_ORIGIN } from './in-memory-log.anchor.js';

export const IDS = {
  packageId: '5d0c1f38-3a52-4d0f-9a55-0b7f4c1e2a10',
  authorisationId: '0b9e2a4c-7d1f-4e3a-8c55-2f6d9b1a7e30',
  taskId: '8f3a6c2e-1b4d-4a7e-9f10-3c5e7a9b1d20',
  uploadId: 'c47e1a2b-9d3f-4b6a-8e21-5a7c9e1b3d40',
  providerId: 'telco-a',
} as const;

/** Receipt time: just before now (certificates of a fresh dev PKI are only valid from its generation). */
const RECEIVED_AT = new Date(Math.floor(Date.now() / 1000) * 1000 - 5_000);
export const TIMES = {
  createdAt: new Date(RECEIVED_AT.getTime() - 3 * 60_000),
  decidedAt: new Date(RECEIVED_AT.getTime() - 2 * 60_000),
  signedAt: new Date(RECEIVED_AT.getTime() - 60_000),
  receivedAt: RECEIVED_AT,
} as const;

export async function actorSigner(pkiDir: string, file: string): Promise<StatementSigner> {
  return pemStatementSigner(
    await readFile(join(pkiDir, 'actors', `${file}.crt`), 'utf8'),
    await readFile(join(pkiDir, 'actors', `${file}.key`), 'utf8'),
  );
}

export async function serviceSigner(pkiDir: string, name: string): Promise<StatementSigner> {
  return pemStatementSigner(
    await readFile(join(pkiDir, 'services', `${name}.crt`), 'utf8'),
    await readFile(join(pkiDir, 'services', `${name}.key`), 'utf8'),
  );
}

/** RSA-PSS signatures are randomised; signing each distinct input once makes two builds comparable byte for byte. */
export function memoizedSigner(signer: StatementSigner): StatementSigner {
  const made = new Map<string, Uint8Array>();
  return {
    certificates: signer.certificates,
    sign: async (input) => {
      const key = sha256Hex(input);
      const cached = made.get(key) ?? (await signer.sign(input));
      made.set(key, cached);
      return cached;
    },
  };
}

export interface AuthorisationFixture {
  readonly requester?: string;
  readonly approvers?: readonly string[];
  readonly providerId?: string;
}

/** A signed order from dev PKI actors: the requester signs the request, each approver its approval. */
export async function signedAuthorisation(
  pkiDir: string,
  fixture: AuthorisationFixture = {},
): Promise<SignedAuthorisation> {
  const requester = await actorSigner(pkiDir, fixture.requester ?? 'police-hn.inv-1');
  const requesterUri = evxUriOf(requester.certificates[0] as Uint8Array);
  const statement = encodeAuthorisationRequest({
    authorisationId: IDS.authorisationId,
    caseReference: 'HN-2026-0042',
    issuingAgencyId: requesterUri.split('/')[3] ?? '',
    requesterUri,
    targetProviderId: fixture.providerId ?? IDS.providerId,
    createdAt: TIMES.createdAt.toISOString(),
    legalBasis: { law: 'StPO', article: '100g', orderDocumentSha256: sha256Hex(Buffer.from('order.pdf')) },
    urgency: 'URGENCY_STANDARD',
    requestDetails: {
      requestTypes: ['REQUEST_TYPE_TRAFFIC_DATA'],
      selectors: [{ selectorId: 's1', msisdn: '+15550100' }],
    },
  });
  const approvals = [];
  for (const file of fixture.approvers ?? ['police-hn.sup-1', 'police-hn.judge-1']) {
    const signer = await actorSigner(pkiDir, file);
    const leaf = signer.certificates[0] as Uint8Array;
    const approval = encodeApproval({
      approverUri: evxUriOf(leaf),
      role: approverRoleValue(organizationalUnitsOf(leaf)[0] ?? 'supervisor') as 'APPROVER_ROLE_SUPERVISOR',
      kind: 'APPROVAL_KIND_STANDARD',
      decision: 'APPROVAL_DECISION_APPROVED',
      reason: '',
      decidedAt: TIMES.decidedAt.toISOString(),
      requestSha256: sha256Hex(statement),
    });
    approvals.push({ statement: approval, signature: await signStatement('approval', approval, signer) });
  }
  return { request: { statement, signature: await signStatement('request', statement, requester) }, approvals };
}

/** `count` records; record i has a payload of `size(i)` deterministic bytes, yielded in chunks of at most 64 KiB. */
export function sampleRecords(count: number, size: (i: number) => number = (i) => 40 + i): PackageRecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    requestType: 'REQUEST_TYPE_TRAFFIC_DATA',
    selectorId: 's1',
    recordTime: new Date(Date.UTC(2026, 10, 20, 8, 0, i)),
    contentType: 'text/csv',
    payloadSize: size(i),
    payload: chunks(i, size(i)),
  }));
}

async function* chunks(seed: number, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < size; offset += 65536) {
    const chunk = Buffer.alloc(Math.min(65536, size - offset));
    for (let j = 0; j < chunk.length; j++) chunk[j] = 0x61 + ((seed + offset + j) % 26);
    yield chunk;
  }
}

export interface FixtureOptions {
  readonly authorisation?: SignedAuthorisation;
  readonly records?: BuildPackageOptions['records'];
  readonly adapter?: string;
  readonly originSigner?: StatementSigner;
  readonly custodySigner?: StatementSigner;
  readonly log?: LogAnchor;
}

/** Builds a complete package from dev PKI actors into `out`. */
export async function buildFixturePackage(
  pkiDir: string,
  out: string,
  options: FixtureOptions = {},
): Promise<BuiltPackage> {
  return buildPackage({
    ...IDS,
    authorisation: options.authorisation ?? (await signedAuthorisation(pkiDir)),
    records: options.records ?? sampleRecords(5),
    origin: {
      signer: options.originSigner ?? (await actorSigner(pkiDir, options.adapter ?? 'telco-a.main')),
      signedAt: TIMES.signedAt,
    },
    custody: {
      signer: options.custodySigner ?? (await serviceSigner(pkiDir, 'vault')),
      receivedAt: TIMES.receivedAt,
      events: [{ event: 'upload-opened', at: TIMES.createdAt, actorUri: 'evx://provider/telco-a/adapter/main' }],
    },
    log: options.log ?? (await InMemoryLogAnchor.fromPki(pkiDir, TEST_LOG_ORIGIN)),
    out,
  });
}
