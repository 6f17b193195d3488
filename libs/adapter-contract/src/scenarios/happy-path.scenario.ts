// Each request type the adapter serves: the order is fulfilled, delivered, verifies offline, and holds only records
// within the order, each once.
import type { OrderScope } from '../adapter-profile.js';
import { detailsFor, fulfil, uploadState } from '../contract-context.js';
import type { ContractScenario } from './contract-scenario.js';

export function happyPathScenario(name: string, scope: OrderScope): ContractScenario {
  return {
    id: `happy-path:${name}`,
    title: `${scope.requestTypes.join('+')} order fulfilled, delivered and verified`,
    async run(ctx) {
      const done = await fulfil(ctx, detailsFor(ctx, scope, name));
      const state = await uploadState(ctx, done.completion.taskId);
      for (const r of state?.rejections ?? [])
        ctx.happyPathRejections.push(`${name}: record ${r.sequenceNumber} ${r.code}: ${r.reason}`);
      const types = [...new Set(done.records.map((r) => r.requestType.replace('REQUEST_TYPE_', '')))].join(', ');
      return `FULFILLED, ${done.records.length} record(s) (${types}), package valid, log index ${done.logIndex}`;
    },
  };
}
