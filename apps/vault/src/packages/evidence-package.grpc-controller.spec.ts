// The AppendRecords handler's wiring: provider-edge's call reads one message ahead while paused (limitReadAhead).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { Metadata } from '@grpc/grpc-js';
import { EMPTY, type Observable } from 'rxjs';
import type { AppendRecordsRequest } from '#evx/proto';
import { EvidencePackageGrpcController } from './evidence-package.grpc-controller.js';

describe('EvidencePackageGrpcController.appendRecords', () => {
  it("limits provider-edge's call to one message read ahead", () => {
    const sut = new EvidencePackageGrpcController(undefined as never, undefined as never, undefined as never);
    const call = new PassThrough({ objectMode: true });
    expect(call.readableHighWaterMark).toBe(16); // what grpc-js's server streams have
    sut.appendRecords(EMPTY as Observable<AppendRecordsRequest>, new Metadata(), call as never);
    expect(call.readableHighWaterMark).toBe(1);
  });
});
