import type { ContractContext } from '../contract-context.js';

/** One standard scenario: `run` resolves with what it established, or throws ScenarioFailure with the reason. */
export interface ContractScenario {
  readonly id: string;
  readonly title: string;
  run(ctx: ContractContext): Promise<string>;
}
