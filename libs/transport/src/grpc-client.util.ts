import { status, type Client, type ServiceError } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { EvxError, type ErrorKind } from '#evx/errors';

const logger = new Logger('InternalCall');

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
  [status.DATA_LOSS]: 'data-loss',
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
      // Transport and identity failures between EVX services are our own fault, not the caller's: they are logged
      // here and reported as unavailable, without internal addresses or PKI details.
      if (!kind || kind === 'unavailable' || kind === 'unauthenticated' || kind === 'permission-denied') {
        logger.warn(`internal call ${method} failed: ${status[error.code]} ${error.details || error.message}`);
        reject(new EvxError('unavailable', 'an internal EVX service is unavailable; try again shortly'));
      } else {
        // Keep the callee's machine-readable code (e.g. INTEGRITY_MISMATCH), so it reaches our own caller.
        const code = error.metadata?.get('evx-error-code')[0];
        reject(new EvxError(kind, error.details, typeof code === 'string' && code !== '' ? code : undefined));
      }
    });
  });
}
