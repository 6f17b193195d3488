// The requester's follow-up on an order (investigator of the agency): withdraw, answer a provider's clarification,
// extend a preservation, close. Each is one workflow transition; its effects reach the provider as a new task
// generation (withdrawal: DesiredStatus WITHDRAWN until the provider confirms; an answer or an extension: the task
// with the answer or the later expiration).
import { Injectable } from '@nestjs/common';
import type {
  Actor,
  AnswerClarificationAction,
  CloseAction,
  ExtendPreservationAction,
  WithdrawAction,
} from '#evx/workflow';
import { RequestWorkflowService } from './request-workflow.service.js';
import { TaskDispatcher } from './task-dispatcher.service.js';
import type { StoredRequest } from './stored-request.js';

export type RequesterAction = WithdrawAction | AnswerClarificationAction | ExtendPreservationAction | CloseAction;

@Injectable()
export class RequesterActionUseCase {
  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  async execute(actor: Actor, authorisationId: string, action: RequesterAction): Promise<StoredRequest> {
    const applied = await this.workflow.apply(actor, authorisationId, action);
    return this.dispatcher.carryOut(applied.stored, applied.effects, actor.uri);
  }
}
