import { HttpException, type Logger } from '@nestjs/common';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { isEvxError } from '#evx/errors';
import { grpcStatusOf } from './error-mapping.js';

export interface GrpcErrorShape {
  code: GrpcStatus;
  message: string;
  details: string;
  metadata: Metadata;
}

/**
 * Known errors keep their status and message (plus a machine code in the `evx-error-code` trailer); anything else
 * is INTERNAL with a generic message, and the real cause is logged, never sent.
 */
export function toGrpcError(exception: unknown, logger?: Logger): GrpcErrorShape {
  if (isEvxError(exception)) return shape(grpcStatusOf(exception.kind), exception.message, exception.code);
  if (exception instanceof RpcException) {
    const inner = exception.getError();
    if (typeof inner === 'object' && inner !== null && 'code' in inner) {
      const { code, message } = inner as { code: GrpcStatus; message?: string };
      return shape(code, message ?? 'error', GrpcStatus[code] ?? 'ERROR');
    }
    return shape(GrpcStatus.INTERNAL, String(inner), 'INTERNAL');
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    return shape(GrpcStatus.INVALID_ARGUMENT, exception.message, 'INVALID_ARGUMENT');
  }
  logger?.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return shape(GrpcStatus.INTERNAL, 'internal error; the incident was logged', 'INTERNAL');
}

function shape(code: GrpcStatus, message: string, errorCode: string): GrpcErrorShape {
  const metadata = new Metadata();
  metadata.set('evx-error-code', errorCode);
  return { code, message, details: message, metadata };
}
