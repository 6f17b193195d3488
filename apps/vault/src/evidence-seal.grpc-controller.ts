import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { VAULT_SERVICE_NAME, type SealEvidenceRequest, type SealEvidenceResponse } from '#evx/proto';
import { Allow, actorOf } from '#evx/transport';
import { EvidenceSealService } from './evidence-seal.service.js';

@Controller()
export class EvidenceSealGrpcController {
  constructor(private readonly seals: EvidenceSealService) {}

  /** Only authority-api decides on emergency validation, so only it may seal. */
  @GrpcMethod(VAULT_SERVICE_NAME, 'SealEvidence')
  @Allow('service:authority-api')
  async sealEvidence(request: SealEvidenceRequest, _m: Metadata, call: object): Promise<SealEvidenceResponse> {
    const caller = actorOf(call);
    const seal = await this.seals.seal({
      authorisationId: request.authorisationId,
      reason: request.reason,
      details: request.details,
      onBehalfOfUri: request.onBehalfOfUri,
      requestedBy: caller.uri,
    });
    // No package store exists yet: packages completed later are sealed on completion (isSealed).
    return { evidencePackages: [], logIndex: String(seal.logIndex) };
  }
}
