// Fault injection for the reference adapters, from MOCK_FAULTS: a comma-separated list of
//   drop-after:N        cut the first upload stream after N records (once), so the SDK must resume
//   refuse[:GROUND]     refuse every order (default ground CONFLICT_WITH_OTHER_LAW)
//   partial             fulfil only part of every order and give grounds for the rest
//   slow:MS             wait MS milliseconds before each record
//   out-of-scope        add one record for a selector the order does not name (EVX must reject it)
import { REFUSAL_GROUNDS, type RefusalGround } from '#evx/workflow';

export interface MockFaults {
  readonly dropAfterRecords?: number;
  readonly refuse?: RefusalGround;
  readonly partial: boolean;
  readonly slowMs: number;
  readonly outOfScope: boolean;
}

const ITEM = new RegExp(
  `^(drop-after:\\d{1,9}|refuse(:(${REFUSAL_GROUNDS.join('|')}))?|partial|slow:\\d{1,6}|out-of-scope)$`,
);
/** For config validation: the whole MOCK_FAULTS value. */
export const MOCK_FAULTS_PATTERN = new RegExp(`^$|^(${ITEM.source.slice(1, -1)})(,(${ITEM.source.slice(1, -1)}))*$`);

export function parseMockFaults(value: string): MockFaults {
  let faults: { -readonly [K in keyof MockFaults]: MockFaults[K] } = { partial: false, slowMs: 0, outOfScope: false };
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!ITEM.test(item))
      throw new Error(
        `MOCK_FAULTS: "${item}" is not one of drop-after:N, refuse[:GROUND], partial, slow:MS, out-of-scope`,
      );
    const [name, argument] = item.split(':') as [string, string | undefined];
    if (name === 'drop-after') faults = { ...faults, dropAfterRecords: Number(argument) };
    if (name === 'refuse') faults = { ...faults, refuse: (argument ?? 'CONFLICT_WITH_OTHER_LAW') as RefusalGround };
    if (name === 'partial') faults = { ...faults, partial: true };
    if (name === 'slow') faults = { ...faults, slowMs: Number(argument) };
    if (name === 'out-of-scope') faults = { ...faults, outOfScope: true };
  }
  return faults;
}
