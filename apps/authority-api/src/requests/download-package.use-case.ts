// Download of an order's evidence package. The vault does not serve packages yet (OpenPackage is not implemented),
// so this answers honestly: sealed evidence is FAILED_PRECONDITION (EVIDENCE_SEALED) for ever, an order without a
// package NOT_FOUND. Nothing is faked; when the vault serves packages, stream OpenPackage here after these checks.
import { EvxError } from '#evx/errors';

/** Packages do not exist in the vault yet; say so honestly rather than stream anything. */
export function refuseDownload(authorisation: {
  evidenceSealed: boolean;
  evidenceSealReason?: string;
  packageId?: string;
  authorisationId: string;
}): never {
  if (authorisation.evidenceSealed) {
    throw new EvxError(
      'failed-precondition',
      `the evidence of order ${authorisation.authorisationId} is sealed: ${authorisation.evidenceSealReason ?? 'judicial validation refused or overdue'}`,
      'EVIDENCE_SEALED',
    );
  }
  if (!authorisation.packageId) {
    throw new EvxError('not-found', `order ${authorisation.authorisationId} has no evidence package yet`);
  }
  throw new EvxError(
    'failed-precondition',
    `package ${authorisation.packageId} cannot be downloaded yet: the vault does not serve packages in this version`,
  );
}
