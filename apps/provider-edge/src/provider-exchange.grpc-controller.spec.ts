// The upload handler's wiring: the adapter's call reads one message ahead while paused (limitReadAhead), and the
// upload service gets that same call to pause and resume.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { Metadata } from '@grpc/grpc-js';
import { EMPTY, type Observable } from 'rxjs';
import type { Identity } from '#evx/pki';
import type { UploadEvidenceRequest } from '#evx/proto';
import { attachIdentity, attachPeerCertificate } from '#evx/transport';
import type { EvidenceUploadService } from './exchange/evidence-upload.service.js';
import { ProviderExchangeGrpcController } from './provider-exchange.grpc-controller.js';

describe('ProviderExchangeGrpcController.uploadEvidence', () => {
  it("limits the adapter's call to one message read ahead and hands that call to the upload service", () => {
    const seen: unknown[][] = [];
    const uploads = { upload: (...args: unknown[]) => (seen.push(args), EMPTY) } as unknown as EvidenceUploadService;
    const sut = new ProviderExchangeGrpcController(undefined as never, undefined as never, uploads, undefined as never);
    const call = new PassThrough({ objectMode: true });
    expect(call.readableHighWaterMark).toBe(16); // what grpc-js's server streams have
    attachIdentity(call, { kind: 'adapter', uri: 'urn:evx:adapter:telco-a:main' } as unknown as Identity);
    attachPeerCertificate(call, Buffer.from('certificate'));
    sut.uploadEvidence(EMPTY as Observable<UploadEvidenceRequest>, new Metadata(), call as never);
    expect(call.readableHighWaterMark).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]![3]).toBe(call);
  });
});
