// The authority side as the kit and `evx demo` need it: place an order and have the right people approve it, follow
// it, fetch its package. The kit only declares it; apps/cli implements it with the `evx request` functions, so the
// orders go through exactly the code an investigator uses (a library never imports an app).
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  loadPolicies,
  policyForAgency,
  standardApprovalChain,
  type ApproverRole,
  type RequestType,
  type Urgency,
} from '#evx/workflow';
import { absoluteTimeRange, type OrderScope, type SelectorInput } from './adapter-profile.js';

/** The REST `details` of an order (docs/requests.md). */
export interface OrderDetailsInput {
  readonly caseReference: string;
  readonly legalBasis: { readonly law: string; readonly article: string; readonly orderDocumentSha256: string };
  readonly typeOfCase: string;
  readonly urgency: Urgency;
  readonly emergency?: { readonly threat: string; readonly justification: string };
  readonly targetProviderId: string;
  readonly requestDetails: {
    readonly requestTypes: readonly RequestType[];
    readonly selectors: readonly SelectorInput[];
    readonly timeRange?: { readonly start: string; readonly end: string };
  };
  readonly confidential: boolean;
  readonly preservationOnly: boolean;
}

/** What the desk reports about an order (a subset of the REST view). */
export interface OrderState {
  readonly authorisationId: string;
  readonly status: string;
  readonly generation: number;
  readonly statusReason: string;
}

/** Someone who decides on orders: a dev identity file and the role it decides in. */
export interface Approver {
  readonly identity: string;
  readonly role: ApproverRole;
}

export interface AuthorityDesk {
  /** Creates the order as the investigator (a draft: nothing is submitted). */
  createDraft(details: OrderDetailsInput): Promise<OrderState>;
  /** Signs and submits the draft as its requester. */
  submit(id: string): Promise<OrderState>;
  /** One signed approval (or validation) by `approver`. */
  approve(id: string, approver: Approver, kind?: 'approve' | 'validate', reason?: string): Promise<OrderState>;
  show(id: string): Promise<OrderState>;
  /** Resolves when the order reaches one of `statuses`; rejects on `failIn` or after `timeoutMs`. */
  waitForStatus(
    id: string,
    statuses: readonly string[],
    timeoutMs: number,
    failIn?: readonly string[],
  ): Promise<OrderState>;
  /** Saves the order's evidence package as `file`. */
  downloadPackage(id: string, file: string): Promise<void>;
}

/** The dev PKI's people of agency police-hn (certs-dev/pki.config.json), by what they do. */
export const DEV_PEOPLE = {
  investigator: 'police-hn.inv-1',
  approvers: {
    SUPERVISOR: 'police-hn.sup-1',
    PROSECUTOR: 'police-hn.pros-1',
    JUDGE: 'police-hn.judge-1',
    DUTY_OFFICER: 'police-hn.duty-1',
  } satisfies Record<ApproverRole, string>,
  agency: 'police-hn',
} as const;

/**
 * Who must approve an order of the dev agency under `policyFile` (the one authority-api runs with): the standard
 * chain merged over its categories, or the duty officer for an emergency. For a step that several roles satisfy the
 * first of the policy's list is asked (supervisor, then prosecutor before judge).
 */
export function approversFor(
  policyFile: string,
  urgency: Urgency,
  requestTypes: readonly RequestType[],
  agency: string = DEV_PEOPLE.agency,
): Approver[] {
  const policy = policyForAgency(loadPolicies(readFileSync(policyFile, 'utf8')), agency);
  const steps =
    urgency === 'EMERGENCY' ? [policy.emergency.approverRoles] : standardApprovalChain(policy, requestTypes);
  return steps.map((step) => {
    const role = step[0] as ApproverRole;
    return { identity: DEV_PEOPLE.approvers[role], role };
  });
}

/** The judge (or the policy's first validator role) who validates an emergency order afterwards. */
export function validatorFor(policyFile: string, agency: string = DEV_PEOPLE.agency): Approver {
  const policy = policyForAgency(loadPolicies(readFileSync(policyFile, 'utf8')), agency);
  const role = policy.emergency.validatorRoles[0] as ApproverRole;
  return { identity: DEV_PEOPLE.approvers[role], role };
}

/** REST order details for `scope` at `providerId`, with a fresh case reference. */
export function orderDetailsFor(
  providerId: string,
  scope: OrderScope,
  options: { readonly label: string; readonly urgency?: Urgency; readonly now?: Date; readonly justification?: string },
): OrderDetailsInput {
  const now = options.now ?? new Date();
  const timeRange = absoluteTimeRange(scope.timeRange, now);
  const urgency = options.urgency ?? 'STANDARD';
  return {
    caseReference: `${options.label}-${randomUUID().slice(0, 8)}`,
    legalBasis: {
      law: 'Code of Criminal Procedure',
      article: urgency === 'EMERGENCY' ? '126nc(1)' : '126na(1)',
      orderDocumentSha256: createHash('sha256').update(`order document of ${options.label}`).digest('hex'),
    },
    typeOfCase: urgency === 'EMERGENCY' ? 'MISSING_PERSON' : 'CYBERCRIME',
    urgency,
    ...(urgency === 'EMERGENCY'
      ? {
          emergency: {
            threat: 'LIFE',
            justification:
              options.justification ??
              'A missing person at risk of life; the subscriber and the last known locations are needed now.',
          },
        }
      : {}),
    targetProviderId: providerId,
    requestDetails: {
      requestTypes: [...scope.requestTypes],
      selectors: scope.selectors.map((s) => ({ ...s })),
      ...(timeRange ? { timeRange } : {}),
    },
    confidential: true,
    preservationOnly: false,
  };
}

/**
 * Creates, submits and has every approver of the plan approve; returns the order after the last approval
 * (DISPATCHED, or still PROVISIONALLY_APPROVED / APPROVED if dispatch is pending). `say` tells the story.
 */
export async function placeOrder(
  desk: AuthorityDesk,
  details: OrderDetailsInput,
  approvers: readonly Approver[],
  say: (line: string) => void = () => undefined,
): Promise<OrderState> {
  const draft = await desk.createDraft(details);
  say(
    `${DEV_PEOPLE.investigator} created order ${draft.authorisationId} (${details.urgency}, ${details.requestDetails.requestTypes.join(', ')} → ${details.targetProviderId})`,
  );
  let state = await desk.submit(draft.authorisationId);
  say(`${DEV_PEOPLE.investigator} signed and submitted it: ${state.status}`);
  for (const approver of approvers) {
    state = await desk.approve(draft.authorisationId, approver);
    say(`${approver.identity} approved as ${approver.role}, signed with their own key: ${state.status}`);
  }
  if (state.status === 'AWAITING_APPROVAL')
    throw new Error(
      `order ${draft.authorisationId} still awaits approval after ${approvers.map((a) => a.role).join(', ')}; ` +
        (details.urgency === 'EMERGENCY'
          ? `the agency has too many open emergency orders and the policy asks for a second duty officer, whom the dev PKI does not have: validate the open ones (evx request validate <id> --as ${DEV_PEOPLE.approvers.JUDGE} --reason …)`
          : 'the policy authority-api runs with asks for more approvals than the default policy'),
    );
  return state;
}
