// Transitions the target provider's adapter triggers (through provider-edge).
import { EvxError } from '#evx/errors';
import type { Authorisation, Refusal } from '../model/authorisation.model.js';
import type { Actor } from '../model/actor.model.js';
import type { RefusalInput } from './request.actions.js';
import { type Change, type HandlerContext, preconditionFailed } from './transition.handler.js';

const MAX_TEXT = 4000;

/** Provider work stops once the requester wants the order withdrawn: the provider confirms the withdrawal instead. */
function requireActive(request: Authorisation): void {
  if (request.desiredStatus !== 'ACTIVE') {
    throw preconditionFailed('The requester withdrew this order; confirm the cancellation instead of working on it.');
  }
}

function requireKind(request: Authorisation, preservation: boolean, instead: string): void {
  if (request.details.preservationOnly !== preservation) {
    const kind = request.details.preservationOnly ? 'a preservation order' : 'a production order';
    throw preconditionFailed(`This is ${kind}; ${instead}.`);
  }
}

function unknownSelectors(request: Authorisation, selectorIds: readonly string[]): string[] {
  const known = new Set(request.details.requestDetails.selectors.map((s) => s.selectorId));
  return selectorIds.filter((id) => !known.has(id));
}

function text(value: string | undefined, what: string, required: boolean): string {
  const trimmed = value?.trim() ?? '';
  if (required && trimmed.length === 0) throw new EvxError('invalid-argument', `${what} is required.`);
  if ([...trimmed].length > MAX_TEXT) throw new EvxError('invalid-argument', `${what} exceeds ${MAX_TEXT} characters.`);
  return trimmed;
}

function refusalOf(request: Authorisation, input: RefusalInput, actor: Actor, now: Date): Refusal {
  const selectorIds = input.selectorIds ?? [];
  const unknown = unknownSelectors(request, selectorIds);
  if (unknown.length > 0) {
    throw new EvxError('invalid-argument', `Unknown selector ids: ${unknown.join(', ')}.`, 'UNKNOWN_SELECTOR');
  }
  const explanation = text(input.explanation, 'An explanation of the ground OTHER', input.ground === 'OTHER');
  return { ground: input.ground, explanation, selectorIds, refusedByUri: actor.uri, refusedAt: now };
}

function describeRefusal(refusal: Refusal): string {
  const part = refusal.selectorIds.length > 0 ? ` for ${refusal.selectorIds.join(', ')}` : '';
  return `${refusal.ground}${part}${refusal.explanation.length > 0 ? `: ${refusal.explanation}` : ''}`;
}

export function acknowledge({ request }: HandlerContext<'acknowledge'>): Change {
  requireActive(request);
  requireKind(request, false, 'confirm the preservation instead of acknowledging');
  return { status: 'ACKNOWLEDGED', reason: 'acknowledged by the provider' };
}

export function confirmPreservation({ request }: HandlerContext<'confirm-preservation'>): Change {
  requireActive(request);
  requireKind(request, true, 'acknowledge it; only a preservation order is preserved');
  const until = request.preservation?.expiresAt.toISOString() ?? '(unknown)';
  return { status: 'PRESERVED', reason: `the provider preserved the data until ${until}` };
}

export function requestClarification({ request, action, actor, now }: HandlerContext<'request-clarification'>): Change {
  requireActive(request);
  const question = text(action.question, 'The question', true);
  const selectorIds = action.selectorIds ?? [];
  const unknown = unknownSelectors(request, selectorIds);
  if (unknown.length > 0) {
    throw new EvxError('invalid-argument', `Unknown selector ids: ${unknown.join(', ')}.`, 'UNKNOWN_SELECTOR');
  }
  if (request.clarifications.some((c) => c.clarificationId === action.clarificationId)) {
    throw new EvxError('already-exists', `Clarification ${action.clarificationId} was already asked.`);
  }
  const clarification = {
    clarificationId: action.clarificationId,
    question,
    selectorIds,
    askedByUri: actor.uri,
    askedAt: now,
  };
  return {
    status: 'CLARIFICATION_REQUESTED',
    reason: `the provider asked a question (${action.clarificationId})`,
    patch: { clarifications: [...request.clarifications, clarification] },
  };
}

export function fulfil({ request }: HandlerContext<'fulfil'>): Change {
  requireActive(request);
  requireKind(request, false, 'a preservation order discloses nothing');
  return { status: 'FULFILLED', reason: 'the provider uploaded everything asked for' };
}

export function fulfilPartially({ request, action, actor, now }: HandlerContext<'fulfil-partially'>): Change {
  requireActive(request);
  requireKind(request, false, 'a preservation order discloses nothing');
  const refusal = refusalOf(request, action.unfulfilled, actor, now);
  return {
    status: 'PARTIALLY_FULFILLED',
    reason: `partially fulfilled; not given: ${describeRefusal(refusal)}`,
    patch: { refusal },
  };
}

/** Refusal with ground DATA_NOT_HELD is ETSI's DisclosureNotAvailable (the proto has no status of its own for it). */
export function refuse({ request, action, actor, now }: HandlerContext<'refuse'>): Change {
  requireActive(request);
  const refusal = refusalOf(request, action.refusal, actor, now);
  return { status: 'REFUSED', reason: `refused by the provider: ${describeRefusal(refusal)}`, patch: { refusal } };
}

export function confirmWithdrawal({ request }: HandlerContext<'confirm-withdrawal'>): Change {
  if (request.desiredStatus !== 'WITHDRAWN') {
    throw preconditionFailed('The requester has not withdrawn this order; there is no withdrawal to confirm.');
  }
  return { status: 'WITHDRAWN', reason: 'the provider confirmed the withdrawal' };
}
