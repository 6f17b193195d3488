// The order and everything EVX knows about its progress, in ETSI TS 103 120 words. Field names follow
// evx.v1.Authorisation / AuthorisationDetails (times are Date, hashes lowercase hex), so persistence and the
// transports map them one to one. Every value is readonly: the state machine returns a new Authorisation.
import type { RequestDetails } from './request-details.model.js';
import type {
  ApprovalDecision,
  ApprovalKind,
  ApproverRole,
  DesiredStatus,
  EmergencyThreat,
  EmergencyValidationStatus,
  RefusalGround,
  RequestStatus,
  TypeOfCase,
  Urgency,
} from './workflow.vocabulary.js';

export interface LegalBasis {
  /** Name or citation of the law. 1 to 256 characters. */
  readonly law: string;
  /** Article, paragraph and point. 1 to 64 characters. */
  readonly article: string;
  /** SHA-256 of the signed order document, 64 lowercase hex digits (ETSI DocumentBody Checksum). */
  readonly orderDocumentSha256: string;
  readonly orderDocumentReference?: string;
}

export interface EmergencyDetails {
  readonly threat: EmergencyThreat;
  /** What is threatened, why it is imminent, why this data helps. */
  readonly justification: string;
}

/** The order as the requester writes and signs it; it cannot change after submission. */
export interface AuthorisationDetails {
  /** ETSI AuthorisationReference. */
  readonly caseReference: string;
  /** From the requester's identity URI, never from input. */
  readonly issuingAgencyId: string;
  readonly countryCode?: string;
  /** From the requester's certificate, never from input. */
  readonly requesterUri: string;
  readonly legalBasis: LegalBasis;
  readonly typeOfCase: TypeOfCase;
  readonly urgency: Urgency;
  /** Present exactly when urgency is EMERGENCY. */
  readonly emergency?: EmergencyDetails;
  /** ETSI CSPID. */
  readonly targetProviderId: string;
  readonly requestDetails: RequestDetails;
  /** Optional; policy default applies when absent and caps it when later. */
  readonly requestedDeadline?: Date;
  /** Do not notify the data subject. */
  readonly confidential: boolean;
  /** An LPTask: freeze the data, disclose nothing. */
  readonly preservationOnly: boolean;
  /** For a production order that follows a preservation order: that order's id. */
  readonly preservationAuthorisationId?: string;
}

/** One approver's decision (ETSI ApprovalDetails). The signature travels in the bundle, not here. */
export interface Approval {
  readonly approverUri: string;
  readonly role: ApproverRole;
  readonly kind: ApprovalKind;
  readonly decision: ApprovalDecision;
  readonly reason: string;
  readonly decidedAt: Date;
}

/** One step of an approval chain: any one of these roles satisfies it. */
export type ApprovalStep = readonly ApproverRole[];

/**
 * The approvals this order needs, fixed when it is submitted, so that a policy edit or the agency's emergency count
 * changing meanwhile cannot move the goal posts of an order already under review.
 */
export interface ApprovalPlan {
  readonly kind: Extract<ApprovalKind, 'STANDARD' | 'EMERGENCY'>;
  /** In order; each step needs a different person. */
  readonly steps: readonly ApprovalStep[];
}

export interface EmergencyValidation {
  readonly status: EmergencyValidationStatus;
  /** Provisional approval time plus the policy's window (evx.v1.EmergencyValidation.due_time). */
  readonly validationDueAt: Date;
  readonly decidedAt?: Date;
}

export interface Clarification {
  readonly clarificationId: string;
  readonly question: string;
  readonly selectorIds: readonly string[];
  readonly askedByUri: string;
  readonly askedAt: Date;
  readonly answer?: string;
  readonly answeredByUri?: string;
  readonly answeredAt?: Date;
}

/** A provider's structured grounds for refusing all or part of an order. */
export interface Refusal {
  readonly ground: RefusalGround;
  /** Required when ground is OTHER. */
  readonly explanation: string;
  /** Empty when it concerns the whole order. */
  readonly selectorIds: readonly string[];
  readonly refusedByUri: string;
  readonly refusedAt: Date;
}

/** The preservation (ETSI LPTask) part of a preservation-only order, once dispatched. */
export interface PreservationTerms {
  /** evx.v1.Authorisation.preservation_expiration: dispatch + period, + extension per extension. */
  readonly expiresAt: Date;
  readonly extensions: number;
  /** The production order that followed this preservation (ETSI AlternativePreservationReference, reversed). */
  readonly followedUpByAuthorisationId?: string;
}

/** An order and its progress (ETSI Authorisation with its one LDTask or LPTask). */
export interface Authorisation {
  readonly authorisationId: string;
  /** ETSI Generation: bumped on every change; a change naming an older one is refused. */
  readonly generation: number;
  readonly details: AuthorisationDetails;
  readonly status: RequestStatus;
  readonly desiredStatus: DesiredStatus;
  /** Why the status last changed, in words. */
  readonly statusReason: string;
  /** Absent while a draft. */
  readonly approvalPlan?: ApprovalPlan;
  /** Every decision in the order made, rejections and the judicial validation included. */
  readonly approvals: readonly Approval[];
  readonly emergencyValidation?: EmergencyValidation;
  readonly clarifications: readonly Clarification[];
  readonly refusal?: Refusal;
  /** Deadline in force for the provider (ETSI LDDeadline); set at dispatch. */
  readonly deadline?: Date;
  readonly preservation?: PreservationTerms;
  readonly taskId?: string;
  readonly packageId?: string;
  /** True once an emergency order's validation was refused or lapsed: nobody may read its evidence. */
  readonly evidenceSealed: boolean;
  readonly evidenceSealReason?: string;
  readonly createdAt: Date;
  readonly submittedAt?: Date;
  readonly dispatchedAt?: Date;
  /** ETSI LastChanged. */
  readonly lastChanged: Date;
}
