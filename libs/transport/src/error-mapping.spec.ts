import { status } from '@grpc/grpc-js';
import { ERROR_KINDS, EvxError } from '#evx/errors';
import { grpcStatusOf, httpStatusOf } from './error-mapping.js';
import { toGrpcError } from './grpc-error.mapper.js';
import { toHttpError } from './http-error.mapper.js';

describe('error mapping', () => {
  it.each(ERROR_KINDS)('maps %s to a specific gRPC status (never UNKNOWN) and an HTTP status', (kind) => {
    expect(grpcStatusOf(kind)).not.toBe(status.UNKNOWN);
    expect(grpcStatusOf(kind)).not.toBe(status.OK);
    expect(httpStatusOf(kind)).toBeGreaterThanOrEqual(400);
  });

  it('keeps the message and machine code of a known error on gRPC', () => {
    const sut = toGrpcError(new EvxError('stale-generation', 'generation 3 is older than 4', 'STALE'));
    expect(sut).toMatchObject({ code: status.ABORTED, details: 'generation 3 is older than 4' });
    expect(sut.metadata.get('evx-error-code')).toEqual(['STALE']);
  });

  it('hides the cause of an unexpected error', () => {
    const grpc = toGrpcError(new Error('password=hunter2'));
    expect(grpc.code).toBe(status.INTERNAL);
    expect(grpc.details).not.toContain('hunter2');
    const http = toHttpError(new Error('password=hunter2'));
    expect(http.statusCode).toBe(500);
    expect(JSON.stringify(http)).not.toContain('hunter2');
  });

  it('gives HTTP the mapped status and the code', () => {
    expect(toHttpError(new EvxError('permission-denied', 'not yours', 'WRONG_ROLE'))).toEqual({
      statusCode: 403,
      error: 'WRONG_ROLE',
      message: 'not yours',
    });
  });
});
