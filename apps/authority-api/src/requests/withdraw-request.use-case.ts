// Withdraw an order (investigator of the agency). Before dispatch it is WITHDRAWN at once; with the provider the
// DesiredStatus says WITHDRAWN until the provider confirms.
import { Injectable } from '@nestjs/common';
import type { Actor } from '#evx/workflow';
import { RequestWorkflowService } from './request-workflow.service.js';
import { TaskDispatcher } from './task-dispatcher.service.js';
import type { StoredRequest } from './stored-request.js';

export interface WithdrawRequestCommand {
  readonly authorisationId: string;
  readonly expectedGeneration: number;
  readonly reason: string;
}

@Injectable()
export class WithdrawRequestUseCase {
  constructor(
    private readonly workflow: RequestWorkflowService,
    private readonly dispatcher: TaskDispatcher,
  ) {}

  async execute(actor: Actor, command: WithdrawRequestCommand): Promise<StoredRequest> {
    const applied = await this.workflow.apply(actor, command.authorisationId, {
      type: 'withdraw',
      expectedGeneration: command.expectedGeneration,
      reason: command.reason,
    });
    return this.dispatcher.carryOut(applied.stored, applied.effects, actor.uri);
  }
}
