import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { EvxError, type ErrorKind } from '#evx/errors';

const KIND_OF_STATUS: Partial<Record<status, ErrorKind>> = {
  [status.INVALID_ARGUMENT]: 'invalid-argument',
  [status.OUT_OF_RANGE]: 'out-of-range',
  [status.NOT_FOUND]: 'not-found',
  [status.ALREADY_EXISTS]: 'already-exists',
  [status.FAILED_PRECONDITION]: 'failed-precondition',
  [status.ABORTED]: 'stale-generation',
  [status.UNAUTHENTICATED]: 'unauthenticated',
  [status.PERMISSION_DENIED]: 'permission-denied',
  [status.RESOURCE_EXHAUSTED]: 'too-large',
  [status.UNAVAILABLE]: 'unavailable',
};

type UnaryMethod = (
  request: unknown,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: unknown) => void,
) => void;

/**
 * Calls a unary method of an internal EVX service. A refusal from the callee keeps its kind and message (a caller
 * asking for an index beyond the log gets OUT_OF_RANGE from us too); a transport failure becomes UNAVAILABLE.
 */
export function callInternal<T>(client: Client, method: string, request: unknown, timeoutMs = 10_000): Promise<T> {
  const fn = (client as unknown as Record<string, UnaryMethod>)[method];
  if (typeof fn !== 'function') throw new Error(`no gRPC method ${method} on this client`);
  return new Promise<T>((resolve, reject) => {
    fn.call(client, request, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
      if (!error) return resolve(response as T);
      const kind = KIND_OF_STATUS[error.code as status];
      // Identity failures between EVX services are our own fault, not the caller's: report them as unavailable.
      if (!kind || kind === 'unauthenticated' || kind === 'permission-denied') {
        reject(new EvxError('unavailable', `internal call ${method} failed: ${error.details || error.message}`));
      } else {
        reject(new EvxError(kind, error.details));
      }
    });
  });
}
