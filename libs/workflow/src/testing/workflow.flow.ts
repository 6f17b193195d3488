// Drives one order through the state machine step by step, as the application would: each action names the
// generation last seen, time comes from a ManualClock, audit facts and effects are kept for assertions.
import type { ManualClock } from '../clock/manual.clock.js';
import type { Actor } from '../model/actor.model.js';
import type { Authorisation } from '../model/authorisation.model.js';
import type { WorkflowAction } from '../state-machine/request.actions.js';
import type { DraftInput, RequestStateMachine } from '../state-machine/request.state-machine.js';
import type { AuditFact, TransitionResult, WorkflowEffect } from '../state-machine/transition.result.js';
import { anInvestigator } from './workflow.fixtures.js';

type WithoutGeneration<A> = A extends unknown ? Omit<A, 'expectedGeneration'> : never;
export type FlowAction = WithoutGeneration<WorkflowAction>;

export class WorkflowFlow {
  readonly audits: AuditFact[] = [];
  lastEffects: readonly WorkflowEffect[] = [];

  private constructor(
    private readonly sut: RequestStateMachine,
    readonly clock: ManualClock,
    public order: Authorisation,
  ) {}

  static start(
    sut: RequestStateMachine,
    clock: ManualClock,
    input: DraftInput,
    requester: Actor = anInvestigator(),
    authorisationId = '7b0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d',
  ): WorkflowFlow {
    const created = sut.createDraft(authorisationId, input, requester, clock.now());
    const flow = new WorkflowFlow(sut, clock, created.authorisation);
    flow.audits.push(created.audit);
    return flow;
  }

  /** Applies the action as of the order's current generation. */
  act(actor: Actor, action: FlowAction): TransitionResult {
    const full = { ...action, expectedGeneration: this.order.generation } as WorkflowAction;
    const result = this.sut.transition(this.order, full, actor, this.clock.now());
    this.order = result.authorisation;
    this.audits.push(result.audit);
    this.lastEffects = result.effects;
    return result;
  }
}
