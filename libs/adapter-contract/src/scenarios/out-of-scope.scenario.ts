// Over-collection. A well-behaved adapter never sends a record outside the order, so the kit cannot make it do so;
// what it can demand is (1) that no happy-path upload had a record rejected, and (2), when the adapter has a test
// mode that slips one out-of-scope record into an upload on purpose, that EVX rejects that record and tells the
// adapter (OUT_OF_SCOPE in the upload state it reads), and that the adapter carries on: the order completes and is
// delivered without the record. Whether the adapter's own output mentions the rejection is reported, not required
// (its logs may go elsewhere).
import { detailsFor, fulfil, uploadState } from '../contract-context.js';
import { expectThat } from '../scenario.js';
import type { ContractScenario } from './contract-scenario.js';

const SURFACED = /OUT_OF_SCOPE|out[ -]of[ -]scope/i;

export const outOfScopeScenario: ContractScenario = {
  id: 'out-of-scope',
  title: 'out-of-scope records are rejected by EVX, kept out of the package, and surfaced by the adapter',
  async run(ctx) {
    expectThat(
      ctx.happyPathRejections.length === 0,
      `EVX rejected records of happy-path uploads: ${ctx.happyPathRejections.slice(0, 3).join('; ')}`,
    );
    const mode = ctx.profile.outOfScope;
    if (!mode) return 'no test mode in the profile: checked only that no happy-path record was rejected';
    ctx.say(`restarting the adapter in its test mode (${Object.keys(mode.env).join(', ')})`);
    await ctx.adapter.restart(mode.env);
    try {
      const done = await fulfil(ctx, detailsFor(ctx, mode.scope, 'out-of-scope'));
      const state = await uploadState(ctx, done.completion.taskId);
      if (state) {
        const rejected = state.rejections.filter((r) => r.code === 'ERROR_CODE_OUT_OF_SCOPE');
        expectThat(rejected.length > 0, 'EVX reports no OUT_OF_SCOPE rejection for the test-mode upload');
      }
      const told = state
        ? 'EVX rejected the planted record (OUT_OF_SCOPE) and told the adapter'
        : 'the planted record is not in the package';
      const logged = SURFACED.test(ctx.adapter.output())
        ? 'the adapter logged the rejection'
        : `note: the adapter's output does not mention the rejection (${ctx.adapter.logFile})`;
      return `${told}; completed and delivered with ${done.records.length} record(s), all within the order; ${logged}`;
    } finally {
      await ctx.adapter.restart();
    }
  },
};
