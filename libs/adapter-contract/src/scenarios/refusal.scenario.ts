// An order the adapter cannot fulfil (a selector it does not hold): a structured refusal, no evidence.
import { awaitOutcome, detailsFor, place, refusalText } from '../contract-context.js';
import { expectThat, ScenarioFailure } from '../scenario.js';
import type { ContractScenario } from './contract-scenario.js';

export const refusalScenario: ContractScenario = {
  id: 'refusal',
  title: 'an order for data it does not hold is refused with structured grounds',
  async run(ctx) {
    const order = await place(ctx, detailsFor(ctx, ctx.profile.refusal, 'refusal'));
    const report = await awaitOutcome(ctx, order.authorisationId);
    expectThat(
      !report.completed,
      `the adapter completed the order with ${report.completed?.evidencePackage?.recordCount ?? '?'} record(s) instead of refusing it`,
    );
    const ground = report.refused?.ground ?? 'REFUSAL_GROUND_UNSPECIFIED';
    expectThat(ground !== 'REFUSAL_GROUND_UNSPECIFIED', 'the refusal gives no ground');
    const shown = await ctx.desk
      .waitForStatus(order.authorisationId, ['REFUSED'], ctx.timeoutMs, ['DELIVERED', 'FULFILLED'])
      .catch((error: Error) => {
        throw new ScenarioFailure(`the authority does not see the refusal: ${error.message}`);
      });
    return `refused with ${refusalText(report)}; the authority sees ${shown.status}`;
  },
};
