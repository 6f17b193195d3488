// The provider's view of an order once dispatched (evx.v1.Task's oneof kind): a disclosure (ETSI LDTask) or a
// preservation (ETSI LPTask). The scope (categories, selectors, period, flags) is the order's AuthorisationDetails.
import type { Authorisation } from './authorisation.model.js';

export interface LDTask {
  readonly kind: 'disclosure';
  /** ETSI LDDeadline. */
  readonly deadline: Date;
  /** The preservation order this production order follows, if any. */
  readonly preservationAuthorisationId?: string;
}

export interface LPTask {
  readonly kind: 'preservation';
  /** By when the provider must confirm the preservation. */
  readonly deadline: Date;
  /** ETSI PreservationExpiration; moves with each extension. */
  readonly preservationExpiration: Date;
  readonly extensions: number;
}

/** The task to put on the provider's stream, once the order is dispatched; undefined before. */
export function taskOf(request: Authorisation): LDTask | LPTask | undefined {
  if (request.deadline === undefined) return undefined;
  if (request.details.preservationOnly && request.preservation !== undefined) {
    return {
      kind: 'preservation',
      deadline: request.deadline,
      preservationExpiration: request.preservation.expiresAt,
      extensions: request.preservation.extensions,
    };
  }
  const follows = request.details.preservationAuthorisationId;
  return {
    kind: 'disclosure',
    deadline: request.deadline,
    ...(follows === undefined ? {} : { preservationAuthorisationId: follows }),
  };
}
