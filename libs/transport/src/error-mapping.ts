import { status as GrpcStatus } from '@grpc/grpc-js';
import { HttpStatus } from '@nestjs/common';
import { assertNever, type ErrorKind } from '#evx/errors';

/** The only place an error kind becomes a gRPC status. */
export function grpcStatusOf(kind: ErrorKind): GrpcStatus {
  switch (kind) {
    case 'invalid-argument':
      return GrpcStatus.INVALID_ARGUMENT;
    case 'out-of-range':
      return GrpcStatus.OUT_OF_RANGE;
    case 'not-found':
      return GrpcStatus.NOT_FOUND;
    case 'already-exists':
      return GrpcStatus.ALREADY_EXISTS;
    case 'failed-precondition':
      return GrpcStatus.FAILED_PRECONDITION;
    case 'stale-generation':
      return GrpcStatus.ABORTED;
    case 'unauthenticated':
      return GrpcStatus.UNAUTHENTICATED;
    case 'permission-denied':
      return GrpcStatus.PERMISSION_DENIED;
    case 'too-large':
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 'data-loss':
      return GrpcStatus.DATA_LOSS;
    case 'unavailable':
      return GrpcStatus.UNAVAILABLE;
    case 'internal':
      return GrpcStatus.INTERNAL;
    default:
      return assertNever(kind);
  }
}

/** The only place an error kind becomes an HTTP status. */
export function httpStatusOf(kind: ErrorKind): HttpStatus {
  switch (kind) {
    case 'invalid-argument':
      return HttpStatus.BAD_REQUEST;
    case 'out-of-range':
      return HttpStatus.BAD_REQUEST;
    case 'not-found':
      return HttpStatus.NOT_FOUND;
    case 'already-exists':
      return HttpStatus.CONFLICT;
    case 'failed-precondition':
      return HttpStatus.CONFLICT;
    case 'stale-generation':
      return HttpStatus.PRECONDITION_FAILED;
    case 'unauthenticated':
      return HttpStatus.UNAUTHORIZED;
    case 'permission-denied':
      return HttpStatus.FORBIDDEN;
    case 'too-large':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'data-loss':
      // The client's values disagree with what EVX holds (an integrity mismatch): the request cannot be applied.
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
    case 'internal':
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return assertNever(kind);
  }
}
