// Submit a draft with the requester's signature over the canonical request (the requester).
import { Injectable } from '@nestjs/common';
import { countOpenEmergencies, type Actor } from '#evx/workflow';
import { RequestWorkflowService } from './request-workflow.service.js';
import { TaskDispatcher } from './task-dispatcher.service.js';
import { callerEnvelope, type SignatureInput } from './signature.input.js';
import type { StoredRequest } from './stored-request.js';

export interface SubmitRequestCommand {
  readonly authorisationId: string;
  readonly expectedGeneration: number;
  readonly signature?: SignatureInput;
  readonly callerCertificate?: Uint8Array;
}

@Injectable()
export class SubmitRequestUseCase {
  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  async execute(actor: Actor, command: SubmitRequestCommand): Promise<StoredRequest> {
    const current = await this.workflow.visible(actor, command.authorisationId);
    const requestSignature = callerEnvelope(
      command.signature,
      command.callerCertificate,
      actor.uri,
      'requester_signature',
    );
    const applied = await this.workflow.applyTo(
      actor,
      current,
      {
        type: 'submit',
        expectedGeneration: command.expectedGeneration,
        openEmergencyOrders: await this.openEmergencyOrders(current),
      },
      (stored) => ({ ...stored.bundle, requestSignature }),
    );
    return this.dispatcher.carryOut(applied.stored, applied.effects);
  }

  /**
   * The agency's other open emergency orders. Only an emergency order's approval plan depends on them
   * (approvalPlanFor); a standard order's submission does not read them.
   */
  private async openEmergencyOrders(current: StoredRequest): Promise<number> {
    const { details, authorisationId } = current.authorisation;
    if (details.urgency === 'STANDARD') return 0;
    const others = (await this.workflow.repository.emergenciesOf(details.issuingAgencyId)).map((s) => s.authorisation);
    return countOpenEmergencies(others, details.issuingAgencyId, authorisationId);
  }
}
