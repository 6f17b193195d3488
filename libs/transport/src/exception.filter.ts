import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { toGrpcError } from './grpc-error.mapper.js';
import { toHttpError } from './http-error.mapper.js';

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}

/**
 * The one exception filter, for both transports. Without it Nest turns every gRPC error into UNKNOWN on the wire.
 */
@Catch()
export class EvxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('EvxExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => toGrpcError(exception, this.logger));
    const body = toHttpError(exception, this.logger);
    host.switchToHttp().getResponse<JsonResponse>().status(body.statusCode).json(body);
  }
}
