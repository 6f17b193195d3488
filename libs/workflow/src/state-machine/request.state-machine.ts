// The core of the workflow: checks generation, trigger and status, runs the transition's handler, and returns the
// new order (a new object; the input is never changed) with its audit fact and effects. Pure: no I/O, no clock.
import { EvxError } from '#evx/errors';
import type { Actor } from '../model/actor.model.js';
import type { Authorisation, AuthorisationDetails } from '../model/authorisation.model.js';
import { checkAuthorisationDetails } from '../model/authorisation-details.check.js';
import type { WorkflowPolicies } from '../policy/policy.model.js';
import type { ActionType, WorkflowAction } from './request.actions.js';
import { REQUEST_TRANSITIONS, type TransitionDefinition, type Trigger } from './request.transitions.js';
import type { HandlerContext } from './transition.handler.js';
import type { TransitionResult } from './transition.result.js';

/** An order as the requester writes it; agency and requester come from the requester's identity. */
export type DraftInput = Omit<AuthorisationDetails, 'issuingAgencyId' | 'requesterUri'>;

function triggerRefusal(
  trigger: Trigger,
  request: Authorisation,
  actor: Actor,
  action: ActionType,
): string | undefined {
  const { issuingAgencyId, requesterUri, targetProviderId } = request.details;
  switch (trigger) {
    case 'requester':
      return actor.kind === 'investigator' && actor.uri === requesterUri
        ? undefined
        : `only the requester (${requesterUri}) may ${action} this order`;
    case 'agency-investigator':
      return actor.kind === 'investigator' && actor.agency === issuingAgencyId
        ? undefined
        : `only an investigator of ${issuingAgencyId} may ${action} this order`;
    case 'approver':
      return actor.kind === 'approver' ? undefined : `only an approver may ${action} an order`;
    case 'provider':
      return actor.kind === 'adapter' && actor.provider === targetProviderId
        ? undefined
        : `only the adapter of provider ${targetProviderId} may ${action} this order`;
    case 'system':
      return actor.kind === 'service' ? undefined : `${action} is done by EVX itself, not by ${actor.uri}`;
  }
}

export class RequestStateMachine {
  constructor(private readonly policies: WorkflowPolicies) {}

  /**
   * A new draft (generation 1) written by an investigator, after structural checks. Policy checks wait for submit.
   * @throws EvxError permission-denied (not an investigator), invalid-argument (malformed order)
   */
  createDraft(authorisationId: string, input: DraftInput, actor: Actor, now: Date): TransitionResult {
    if (actor.kind !== 'investigator') {
      throw new EvxError('permission-denied', `Only investigators create orders; ${actor.uri} is a ${actor.kind}.`);
    }
    const details: AuthorisationDetails = { ...input, issuingAgencyId: actor.agency, requesterUri: actor.uri };
    checkAuthorisationDetails(details, now);
    const authorisation: Authorisation = {
      authorisationId,
      generation: 1,
      details,
      status: 'DRAFT',
      desiredStatus: 'DRAFT',
      statusReason: 'draft created',
      approvals: [],
      clarifications: [],
      evidenceSealed: false,
      createdAt: now,
      lastChanged: now,
    };
    const audit = {
      authorisationId,
      action: 'create' as const,
      actorUri: actor.uri,
      toStatus: authorisation.status,
      toDesiredStatus: authorisation.desiredStatus,
      generation: 1,
      reason: 'draft created',
      at: now,
    };
    return { authorisation, audit, effects: [] };
  }

  /**
   * Applies one named transition.
   * @throws EvxError stale-generation (the action names a generation that is not current), permission-denied (the
   *   actor may not trigger it), failed-precondition code INVALID_STATE (not allowed in the current status) or
   *   another code naming the failed precondition, invalid-argument (a missing reason, an unknown selector)
   */
  transition(request: Authorisation, action: WorkflowAction, actor: Actor, now: Date): TransitionResult {
    const definition = REQUEST_TRANSITIONS[action.type] as TransitionDefinition<ActionType>;
    if (action.expectedGeneration !== undefined && action.expectedGeneration !== request.generation) {
      throw new EvxError(
        'stale-generation',
        `Order ${request.authorisationId} is at generation ${request.generation}, but you acted on generation ` +
          `${action.expectedGeneration}: re-read it and ${action.type} again if still appropriate.`,
        'STALE_GENERATION',
      );
    }
    const refusal = triggerRefusal(definition.trigger, request, actor, action.type);
    if (refusal !== undefined) throw new EvxError('permission-denied', `Refused: ${refusal}.`);
    if (!definition.from.includes(request.status)) {
      throw new EvxError(
        'failed-precondition',
        `Cannot ${action.type} order ${request.authorisationId}: it is ${request.status}, and ${action.type} is ` +
          `allowed only when it is ${definition.from.join(', ')}.`,
        'INVALID_STATE',
      );
    }
    // The table pairs each action type with its own handler; TypeScript cannot follow that through the lookup.
    const context = { request, action, actor, now, policies: this.policies } as HandlerContext<ActionType>;
    const change = definition.apply(context);
    const moved = change.status !== request.status;
    if (!definition.to.includes(change.status) && (moved || !definition.to.includes('UNCHANGED'))) {
      throw new EvxError('internal', `${action.type} led to ${change.status}, which its definition does not list`);
    }
    const desiredStatus = change.desiredStatus ?? request.desiredStatus;
    const authorisation: Authorisation = {
      ...request,
      ...change.patch,
      status: change.status,
      desiredStatus,
      statusReason: moved ? change.reason : request.statusReason,
      generation: request.generation + 1,
      lastChanged: now,
    };
    const role = actor.kind === 'approver' && 'role' in action ? action.role : undefined;
    return {
      authorisation,
      audit: {
        authorisationId: request.authorisationId,
        action: action.type,
        actorUri: actor.uri,
        ...(role === undefined ? {} : { actorRole: role }),
        fromStatus: request.status,
        toStatus: change.status,
        fromDesiredStatus: request.desiredStatus,
        toDesiredStatus: desiredStatus,
        generation: authorisation.generation,
        reason: change.reason,
        at: now,
      },
      effects: change.effects ?? [],
    };
  }
}
