import { HttpException, HttpStatus, type Logger } from '@nestjs/common';
import { isEvxError } from '#evx/errors';
import { httpStatusOf } from './error-mapping.js';

export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/** Maps the error model to an HTTP body; unknown errors are 500 with a generic message and a server-side log line. */
export function toHttpError(exception: unknown, logger?: Logger): HttpErrorBody {
  if (isEvxError(exception)) {
    return { statusCode: httpStatusOf(exception.kind), error: exception.code, message: exception.message };
  }
  if (exception instanceof HttpException) {
    const res = exception.getResponse();
    const message =
      typeof res === 'object' && res !== null && 'message' in res
        ? (res as { message: string | string[] }).message
        : exception.message;
    return { statusCode: exception.getStatus(), error: HttpStatus[exception.getStatus()] ?? 'ERROR', message };
  }
  logger?.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return { statusCode: 500, error: 'INTERNAL', message: 'internal error; the incident was logged' };
}
