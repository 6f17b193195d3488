// Create a draft (investigator). The requester and agency come from the certificate; the canonical request is made
// here once and never changes, so the requester signs exactly what providers and courts later verify. Idempotent on
// (requester, key): a replay returns the first order, different details with the same key are a conflict.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { encodeRequestDocument } from '#evx/authorisation';
import { EvxError } from '#evx/errors';
import type { Actor, DraftInput } from '#evx/workflow';
import { RequestWorkflowService } from './request-workflow.service.js';
import type { StoredRequest } from './stored-request.js';

export interface CreateRequestCommand {
  readonly idempotencyKey: string;
  readonly draft: DraftInput;
}

const KEY_PATTERN = /^[\x21-\x7e]{16,128}$/;

/** A replay carries the same order: compared as its canonical request, whichever transport or field order. */
function sameDraft(stored: StoredRequest, draft: DraftInput): boolean {
  const { authorisationId, details, createdAt } = stored.authorisation;
  let again: Uint8Array;
  try {
    again = encodeRequestDocument(
      authorisationId,
      { ...draft, issuingAgencyId: details.issuingAgencyId, requesterUri: details.requesterUri },
      createdAt,
    );
  } catch {
    return false; // not even a well-formed order: certainly not the first one
  }
  return Buffer.from(again).equals(Buffer.from(stored.bundle.request));
}

@Injectable()
export class CreateRequestUseCase {
  constructor(private readonly workflow: RequestWorkflowService) {}

  async execute(actor: Actor, command: CreateRequestCommand): Promise<StoredRequest> {
    if (!KEY_PATTERN.test(command.idempotencyKey)) {
      throw new EvxError(
        'invalid-argument',
        'idempotency_key must be 16 to 128 printable ASCII characters (a UUID is fine)',
      );
    }
    const replay = await this.replayOf(actor, command);
    if (replay) return replay;
    const id = randomUUID();
    const result = this.workflow.machine.createDraft(id, command.draft, actor, this.workflow.clock.now());
    const stored: StoredRequest = {
      authorisation: result.authorisation,
      bundle: {
        request: encodeRequestDocument(id, result.authorisation.details, result.authorisation.createdAt),
        approvals: [],
      },
    };
    try {
      await this.workflow.insert(stored, result, (manager) =>
        this.workflow.repository.rememberKey(
          manager,
          actor.uri,
          command.idempotencyKey,
          id,
          result.authorisation.createdAt,
        ),
      );
    } catch (error) {
      // Two replays racing: the key's primary key lets one win; the other returns what the winner created.
      const winner = await this.replayOf(actor, command);
      if (winner) return winner;
      throw error;
    }
    return stored;
  }

  private async replayOf(actor: Actor, command: CreateRequestCommand): Promise<StoredRequest | undefined> {
    const key = await this.workflow.repository.idempotencyKey(actor.uri, command.idempotencyKey);
    if (!key) return undefined;
    const first = await this.workflow.repository.find(key.requestId);
    if (!first) return undefined;
    if (!sameDraft(first, command.draft)) {
      throw new EvxError(
        'already-exists',
        `idempotency key ${command.idempotencyKey} was used for different details`,
        'IDEMPOTENCY_CONFLICT',
      );
    }
    return first;
  }
}
