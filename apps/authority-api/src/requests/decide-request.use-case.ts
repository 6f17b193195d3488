// An approver's signed decision: approve, reject, validate or refuse validation. The gateway rebuilds the approval
// document from the command and the caller's certificate and checks the caller's signature over it; it never signs.
import { Injectable } from '@nestjs/common';
import { encodeApprovalDecision } from '#evx/authorisation';
import { EvxError } from '#evx/errors';
import type { Actor, ApprovalDecision, ApprovalKind, ApproverRole, WorkflowAction } from '#evx/workflow';
import { RequestWorkflowService } from './request-workflow.service.js';
import { TaskDispatcher } from './task-dispatcher.service.js';
import { callerEnvelope, type SignatureInput } from './signature.input.js';
import type { StoredRequest } from './stored-request.js';

export type DecisionType = 'approve' | 'reject' | 'validate' | 'reject-validation';

export interface DecideRequestCommand {
  readonly type: DecisionType;
  readonly authorisationId: string;
  readonly expectedGeneration: number;
  readonly role: ApproverRole;
  readonly reason: string;
  readonly decidedAt: Date;
  readonly signature?: SignatureInput;
  readonly callerCertificate?: Uint8Array;
}

/** How far an approver's clock may be from EVX's (ApproveRequestRequest.decided_at). */
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_REASON = 4000;

function actionOf(command: DecideRequestCommand): WorkflowAction {
  const common = { expectedGeneration: command.expectedGeneration, role: command.role, reason: command.reason };
  return { type: command.type, ...common };
}

@Injectable()
export class DecideRequestUseCase {
  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  async execute(actor: Actor, command: DecideRequestCommand): Promise<StoredRequest> {
    if (actor.kind !== 'approver')
      throw new EvxError('permission-denied', `only approvers decide on orders; ${actor.uri} is a ${actor.kind}`);
    if (command.reason.length > MAX_REASON)
      throw new EvxError('invalid-argument', `reason is longer than ${MAX_REASON} characters`);
    const now = this.workflow.clock.now();
    if (
      Number.isNaN(command.decidedAt.getTime()) ||
      Math.abs(command.decidedAt.getTime() - now.getTime()) > CLOCK_SKEW_MS
    ) {
      throw new EvxError(
        'invalid-argument',
        `decided_at must be within 5 minutes of EVX's clock (${now.toISOString()})`,
      );
    }
    const signature = callerEnvelope(command.signature, command.callerCertificate, actor.uri, 'signature');
    const validation = command.type === 'validate' || command.type === 'reject-validation';
    const decision: ApprovalDecision =
      command.type === 'approve' || command.type === 'validate' ? 'APPROVED' : 'REJECTED';
    const applied = await this.workflow.apply(actor, command.authorisationId, actionOf(command), (stored) => {
      const kind: ApprovalKind = validation
        ? 'JUDICIAL_VALIDATION'
        : (stored.authorisation.approvalPlan?.kind ?? 'STANDARD');
      const statement = encodeApprovalDecision(stored.bundle.request, {
        approverUri: actor.uri,
        role: command.role,
        kind,
        decision,
        reason: command.reason,
        decidedAt: command.decidedAt,
      });
      return { ...stored.bundle, approvals: [...stored.bundle.approvals, { statement, signature }] };
    });
    return this.dispatcher.carryOut(applied.stored, applied.effects, actor.uri);
  }
}
