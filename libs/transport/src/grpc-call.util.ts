import type { Identity } from '#evx/pki';
import { identityOf } from './access.decorators.js';

/** The identity the guard attached to this gRPC call (the handler's third argument). */
export function actorOf(call: object): Identity {
  const identity = identityOf(call);
  if (!identity) throw new Error('no identity on this call: is the identity guard registered?');
  return identity;
}
