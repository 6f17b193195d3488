// The reference adapters' handlers, written on the SDK exactly as an enterprise would write its own: records for
// what the order names and nothing else, structured grounds for what the provider does not hold.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdapterHandlers, AdapterLogger, EvidenceRecordInput, OrderTask, TaskContext } from '#evx/adapter-sdk';
import type { MockFaults } from './mock-faults.js';
import { recordsFor, type MockProvider } from './synthetic/mock-provider.js';
import { selectorKey, stateInstant, type OrderScope, type SyntheticSettings } from './synthetic/order-scope.js';

/** The answer's parts: what the provider will give, and grounds for the rest. */
function planAnswer(
  provider: MockProvider,
  task: OrderTask,
  settings: SyntheticSettings,
  faults: MockFaults,
  ctx: TaskContext,
) {
  const held = task.selectors.filter((s) => provider.holds(s, settings));
  const unknown = task.selectors.filter((s) => !provider.holds(s, settings));
  let types = task.requestTypes.filter((t) => provider.requestTypes.includes(t));
  const notHeld = task.requestTypes.filter((t) => !types.includes(t));
  let selectors = held;
  let volume = settings.volume;
  const grounds: string[] = [];
  if (unknown.length) grounds.push(`${provider.providerId} has no customer ${unknown.map(selectorKey).join(', ')}`);
  if (notHeld.length) grounds.push(`${provider.providerId} holds no ${notHeld.join(', ')}`);
  if (faults.partial && held.length > 0 && types.length > 0) {
    selectors = held.slice(0, 1);
    types = types.slice(0, 1);
    volume = Math.max(1, Math.floor(volume / 2));
    grounds.push('fault injection: only part of the order is fulfilled');
  }
  if (grounds.length) {
    const ground = unknown.length ? 'NOT_OUR_CUSTOMER' : faults.partial ? 'DE_FACTO_IMPOSSIBILITY' : 'DATA_NOT_HELD';
    ctx.refuse(
      ground,
      grounds.join('; '),
      unknown.map((s) => s.selectorId),
    );
  }
  const scope: OrderScope = {
    requestTypes: types,
    selectors,
    ...(task.timeRange ? { timeRange: task.timeRange } : {}),
  };
  return { scope, settings: { ...settings, volume } };
}

/** A record no order asks for: a selector id the order does not name. EVX must reject it and log over-collection. */
function outOfScopeRecord(task: OrderTask): EvidenceRecordInput {
  return {
    requestType: task.requestTypes[0]!,
    selectorId: 'not-ordered',
    recordTime: stateInstant(task),
    contentType: 'application/json',
    payload: JSON.stringify({ kind: 'over-collection', note: 'fault injection: a record outside the order' }),
  };
}

export function mockHandlers(
  provider: MockProvider,
  settings: SyntheticSettings,
  faults: MockFaults,
  logger: AdapterLogger,
): AdapterHandlers {
  const restricted = new Set<string>();
  return {
    async *onDisclosure(task, ctx) {
      if (faults.refuse) return ctx.refuse(faults.refuse, 'fault injection: this adapter refuses every order');
      const answer = planAnswer(provider, task, settings, faults, ctx);
      if (faults.outOfScope) yield outOfScopeRecord(task);
      for await (const record of recordsFor(provider, answer.scope, answer.settings)) {
        if (faults.slowMs > 0) await sleep(faults.slowMs);
        yield record;
      }
    },
    onPreservation(task, ctx) {
      if (faults.refuse) return ctx.refuse(faults.refuse, 'fault injection: this adapter refuses every order');
      logger.log(
        `preserving the data of ${task.selectors.map(selectorKey).join(', ')} until ${task.preservationExpiration?.toISOString()}`,
      );
    },
    onCancel(task) {
      if (task.notice?.restrictData) restricted.add(task.taskId);
      logger.log(
        `task ${task.taskId} cancelled (${task.reason})${task.notice?.restrictData ? '; its data is restricted' : ''}`,
      );
    },
  };
}
