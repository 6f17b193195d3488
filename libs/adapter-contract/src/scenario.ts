// A contract scenario and its outcome: PASS or FAIL with the reason, one line each.
export type ScenarioStatus = 'PASS' | 'FAIL';

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly status: ScenarioStatus;
  /** On PASS what was established; on FAIL what went wrong. */
  readonly reason: string;
  readonly durationMs: number;
}

/** A failed expectation: its message is the scenario's reason. */
export class ScenarioFailure extends Error {
  override name = 'ScenarioFailure';
}

export function expectThat(condition: unknown, reason: string): asserts condition {
  if (!condition) throw new ScenarioFailure(reason);
}

/** The human form: `PASS  refusal  — refused with DATA_NOT_HELD: …`. */
export function formatResult(result: ScenarioResult): string {
  return `${result.status}  ${result.id.padEnd(32)} ${result.reason} (${(result.durationMs / 1000).toFixed(1)} s)`;
}
