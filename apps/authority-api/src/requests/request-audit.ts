// The audit events of a transition, in the vault log's vocabulary (evx.v1.AuditAction).
import type { AuditFacts } from '#evx/audit';
import type { AuditFact, WorkflowEffect } from '#evx/workflow';

const ACTIONS: Partial<Record<AuditFact['action'], string>> = {
  create: 'AUDIT_ACTION_REQUEST_CREATED',
  submit: 'AUDIT_ACTION_REQUEST_SUBMITTED',
  approve: 'AUDIT_ACTION_REQUEST_APPROVED',
  reject: 'AUDIT_ACTION_REQUEST_REJECTED',
  validate: 'AUDIT_ACTION_EMERGENCY_VALIDATED',
  'reject-validation': 'AUDIT_ACTION_EMERGENCY_VALIDATION_REJECTED',
  'mark-validation-overdue': 'AUDIT_ACTION_EMERGENCY_VALIDATION_OVERDUE',
  withdraw: 'AUDIT_ACTION_REQUEST_WITHDRAWN',
  expire: 'AUDIT_ACTION_REQUEST_EXPIRED',
  'extend-preservation': 'AUDIT_ACTION_PRESERVATION_EXTENDED',
  close: 'AUDIT_ACTION_REQUEST_CLOSED',
  dispatch: 'AUDIT_ACTION_TASK_DISPATCHED',
  'answer-clarification': 'AUDIT_ACTION_CLARIFICATION_ANSWERED',
  acknowledge: 'AUDIT_ACTION_TASK_ACKNOWLEDGED',
  'confirm-preservation': 'AUDIT_ACTION_TASK_ACKNOWLEDGED',
  'request-clarification': 'AUDIT_ACTION_CLARIFICATION_REQUESTED',
  refuse: 'AUDIT_ACTION_TASK_REFUSED',
  fulfil: 'AUDIT_ACTION_TASK_COMPLETED',
  'fulfil-partially': 'AUDIT_ACTION_TASK_COMPLETED',
  'confirm-withdrawal': 'AUDIT_ACTION_REQUEST_WITHDRAWN',
  deliver: 'AUDIT_ACTION_PACKAGE_COMPLETED',
};

/** The audit action of a transition, in evx.v1.AuditAction names. */
export function auditActionOf(action: AuditFact['action']): string {
  return ACTIONS[action] ?? 'AUDIT_ACTION_NOTIFICATION_ISSUED';
}

/** The transition's event, plus EVIDENCE_SEALED when it seals the evidence. */
export function auditFactsOf(
  fact: AuditFact,
  effects: readonly WorkflowEffect[] = [],
  related: AuditFacts['objects'] = [],
): AuditFacts[] {
  const objects = [{ type: 'OBJECT_TYPE_AUTHORISATION', id: fact.authorisationId }, ...related];
  const reason = fact.actorRole
    ? `${fact.reason} (as ${fact.actorRole}, generation ${fact.generation})`
    : `${fact.reason} (generation ${fact.generation})`;
  const facts: AuditFacts[] = [
    {
      actorUri: fact.actorUri,
      action: auditActionOf(fact.action),
      objects,
      oldState: fact.fromStatus ?? '',
      newState: fact.toStatus,
      reason,
    },
  ];
  for (const effect of effects) {
    if (effect.type === 'seal-evidence') {
      facts.push({
        actorUri: fact.actorUri,
        action: 'AUDIT_ACTION_EVIDENCE_SEALED',
        objects,
        newState: 'SEALED',
        reason: effect.reason,
      });
    }
  }
  return facts;
}
