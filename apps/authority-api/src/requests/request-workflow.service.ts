// Drives #evx/workflow for every use case: load the order the caller may see, run one transition, verify the
// signed bundle it leads to, persist with compare-and-set and the audit events in one transaction, then report
// delivery. The use cases only build the action and the signature.
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { verifyAuthorisation, type AuthorisationBundle } from '#evx/authorisation';
import { EvxError } from '#evx/errors';
import type { Identity, TrustStore } from '#evx/pki';
import { AuditTrail } from '#evx/transport';
import {
  approverRoleFromCertificate,
  policyForAgency,
  RequestStateMachine,
  type Actor,
  type Authorisation,
  type Clock,
  type TransitionResult,
  type WorkflowAction,
  type WorkflowEffect,
  type WorkflowPolicies,
} from '#evx/workflow';
import { auditFactsOf } from './request-audit.js';
import { RequestRepository } from './request.repository.js';
import { TRUST_STORE, WORKFLOW_CLOCK, WORKFLOW_POLICIES } from './request-workflow.tokens.js';
import type { StoredRequest } from './stored-request.js';

export const SERVICE_ACTOR: Actor = { kind: 'service', uri: 'evx://service/authority-api' };

/** The workflow's actor for a certificate identity. */
export function actorOfIdentity(identity: Identity): Actor {
  switch (identity.kind) {
    case 'investigator':
      return { kind: 'investigator', uri: identity.uri, agency: identity.agency, id: identity.id };
    case 'approver':
      return {
        kind: 'approver',
        uri: identity.uri,
        agency: identity.agency,
        id: identity.id,
        role: approverRoleFromCertificate(identity.role),
      };
    case 'adapter':
      return { kind: 'adapter', uri: identity.uri, provider: identity.provider };
    case 'auditor':
      return { kind: 'auditor', uri: identity.uri };
    case 'service':
      return { kind: 'service', uri: identity.uri };
  }
}

/** Investigators and approvers see their own agency's orders, auditors every order's metadata, EVX all. */
export function maySee(actor: Actor, authorisation: Authorisation): boolean {
  if (actor.kind === 'auditor' || actor.kind === 'service') return true;
  return (
    (actor.kind === 'investigator' || actor.kind === 'approver') &&
    actor.agency === authorisation.details.issuingAgencyId
  );
}

export interface Prepared {
  readonly current: StoredRequest;
  readonly result: TransitionResult;
  readonly next: StoredRequest;
}

export interface Applied {
  readonly stored: StoredRequest;
  readonly effects: readonly WorkflowEffect[];
}

/** How a transition changes the bundle: a use case adds the actor's signature or signed decision. */
export type BundleChange = (stored: StoredRequest, result: TransitionResult) => AuthorisationBundle;

@Injectable()
export class RequestWorkflowService {
  readonly machine: RequestStateMachine;

  constructor(
    readonly repository: RequestRepository,
    private readonly audit: AuditTrail,
    @Inject(WORKFLOW_CLOCK) readonly clock: Clock,
    @Inject(WORKFLOW_POLICIES) readonly policies: WorkflowPolicies,
    @Inject(TRUST_STORE) readonly trust: TrustStore,
  ) {
    this.machine = new RequestStateMachine(policies);
  }

  /** The order, or NOT_FOUND also when it exists but is not the caller's to see (existence does not leak). */
  async visible(actor: Actor, id: string, manager?: EntityManager): Promise<StoredRequest> {
    const stored = await this.repository.find(id, manager);
    if (!stored || !maySee(actor, stored.authorisation))
      throw new EvxError('not-found', `no request ${id} that you may see`);
    return stored;
  }

  /** Persists a new order with its audit event (and what `also` writes) in one transaction. */
  async insert(
    stored: StoredRequest,
    result: TransitionResult,
    also?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    await this.repository.dataSource.transaction(async (manager) => {
      await this.repository.insert(manager, stored);
      if (also) await also(manager);
      await this.repository.recordChange(manager, result.audit, stored);
      await this.audit.record(manager, auditFactsOf(result.audit));
    });
    void this.audit.delivered();
  }

  /**
   * Applies `action` for `actor` to order `id` and carries nothing out: the caller runs `effects` (TaskDispatcher).
   * The bundle that results is verified against the trust anchors and the order's plan before anything is written,
   * so a bad signature never reaches the database or the provider.
   */
  async apply(actor: Actor, id: string, action: WorkflowAction, change?: BundleChange): Promise<Applied> {
    return this.applyTo(actor, await this.visible(actor, id), action, change);
  }

  /**
   * As `apply`, to the order the caller has just read with `visible` (not read again): the compare-and-set on its
   * generation still refuses the write if the order changed since.
   */
  async applyTo(actor: Actor, current: StoredRequest, action: WorkflowAction, change?: BundleChange): Promise<Applied> {
    const prepared = this.transitionOf(actor, current, action, change);
    await this.commit(prepared);
    return { stored: prepared.next, effects: prepared.result.effects };
  }

  /** The transition computed and verified, not yet written (dispatch sends the task in between). */
  async prepare(actor: Actor, id: string, action: WorkflowAction, change?: BundleChange): Promise<Prepared> {
    return this.transitionOf(actor, await this.visible(actor, id), action, change);
  }

  private transitionOf(actor: Actor, current: StoredRequest, action: WorkflowAction, change?: BundleChange): Prepared {
    const now = this.clock.now();
    const result = this.machine.transition(current.authorisation, action, actor, now);
    const bundle = change ? change(current, result) : current.bundle;
    if (bundle.requestSignature) this.verify(bundle, result.authorisation, now);
    return { current, result, next: { authorisation: result.authorisation, bundle } };
  }

  /**
   * Compare-and-set on the generation the transition started from, with its change-feed row and audit events,
   * atomically: one statement on PostgreSQL, one transaction on SQLite.
   */
  async commit({ current, result, next }: Prepared): Promise<void> {
    const facts = auditFactsOf(result.audit, result.effects);
    if (this.repository.commitsInOneStatement) {
      // PostgreSQL: the same three writes as one statement, atomic as the transaction below (two round trips
      // per submission instead of six, with the read).
      const { events, at } = this.audit.prepare(facts);
      await this.repository.commitInOneStatement(next, current.authorisation.generation, result.audit, (source) =>
        this.audit.outbox.enqueueFor(source, events, at),
      );
    } else {
      await this.repository.dataSource.transaction(async (manager) => {
        await this.repository.compareAndSet(manager, next, current.authorisation.generation);
        await this.repository.recordChange(manager, result.audit, next);
        await this.audit.record(manager, facts);
      });
    }
    void this.audit.delivered();
  }

  verify(bundle: AuthorisationBundle, authorisation: Authorisation, now: Date, requireComplete = false): void {
    const policy = policyForAgency(this.policies, authorisation.details.issuingAgencyId);
    verifyAuthorisation(
      bundle,
      this.trust,
      {
        ...(authorisation.approvalPlan ? { plan: authorisation.approvalPlan } : {}),
        requireComplete,
        ...(policy ? { validatorRoles: policy.emergency.validatorRoles } : {}),
      },
      now,
    );
  }
}
