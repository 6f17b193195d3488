import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { VAULT_SERVICE_NAME, type SealEvidenceRequest, type SealEvidenceResponse } from '#evx/proto';
import { Allow, actorOf } from '#evx/transport';
import { EvidencePackageService } from './packages/evidence-package.service.js';
import { packageToWire } from './packages/package.wire.js';

@Controller()
export class EvidenceSealGrpcController {
  constructor(private readonly packages: EvidencePackageService) {}

  /**
   * Only authority-api decides on emergency validation, so only it may seal. Complete packages turn SEALED now;
   * open ones turn SEALED when they complete.
   */
  @GrpcMethod(VAULT_SERVICE_NAME, 'SealEvidence')
  @Allow('service:authority-api')
  async sealEvidence(request: SealEvidenceRequest, _m: Metadata, call: object): Promise<SealEvidenceResponse> {
    const caller = actorOf(call);
    const { seal, packages } = await this.packages.seal({
      authorisationId: request.authorisationId,
      reason: request.reason,
      details: request.details,
      onBehalfOfUri: request.onBehalfOfUri,
      requestedBy: caller.uri,
    });
    return { evidencePackages: packages.map(packageToWire), logIndex: String(seal.logIndex) };
  }
}
