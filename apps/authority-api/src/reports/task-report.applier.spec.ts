// Which workflow transitions each kind of task report stands for (the database side is in
// test/e2e/request-reports.e2e-spec.ts).
import type { TaskReport } from '#evx/proto';
import type { Authorisation } from '#evx/workflow';
import { kindOf, stepsFor } from './task-report.applier.js';

const order = (over: Partial<Authorisation> = {}, preservationOnly = false): Authorisation =>
  ({
    authorisationId: 'a-1',
    status: 'DISPATCHED',
    desiredStatus: 'ACTIVE',
    details: { preservationOnly, targetProviderId: 'telco-a' },
    ...over,
  }) as unknown as Authorisation;

const report = (body: object): TaskReport =>
  ({
    reportId: 'r-1',
    taskId: 't-1',
    authorisationId: 'a-1',
    generation: 4,
    providerId: 'telco-a',
    adapterUri: 'evx://provider/telco-a/adapter/main',
    ...body,
  }) as TaskReport;

const types = (r: TaskReport, o: Authorisation) =>
  stepsFor(r, o).map(([actor, action]) => `${actor.kind}:${action.type}`);

describe('stepsFor', () => {
  it('an acknowledgement acknowledges, confirms a preservation, or confirms a withdrawal', () => {
    const ack = report({ acknowledged: { providerReference: '' } });
    expect(kindOf(ack)).toBe('acknowledged');
    expect(types(ack, order())).toEqual(['adapter:acknowledge']);
    expect(types(ack, order({}, true))).toEqual(['adapter:confirm-preservation']);
    expect(types(ack, order({ desiredStatus: 'WITHDRAWN' }))).toEqual(['adapter:confirm-withdrawal']);
  });

  it('a completion fulfils (acknowledging first if needed) and delivers only a COMPLETE package', () => {
    const done = (state: string, outcome = 'COMPLETION_OUTCOME_FULFILLED') =>
      report({
        completed: {
          outcome,
          unfulfilled: { ground: 'REFUSAL_GROUND_DATA_NOT_HELD', explanation: '', selectorIds: [] },
          evidencePackage: { packageId: 'p-1', state },
        },
      });
    expect(types(done('PACKAGE_STATE_COMPLETE'), order())).toEqual([
      'adapter:acknowledge',
      'adapter:fulfil',
      'service:deliver',
    ]);
    expect(types(done('PACKAGE_STATE_COMPLETE'), order({ status: 'ACKNOWLEDGED' }))).toEqual([
      'adapter:fulfil',
      'service:deliver',
    ]);
    expect(types(done('PACKAGE_STATE_SEALED'), order({ status: 'ACKNOWLEDGED' }))).toEqual(['adapter:fulfil']);
    expect(
      types(
        done('PACKAGE_STATE_COMPLETE', 'COMPLETION_OUTCOME_PARTIALLY_FULFILLED'),
        order({ status: 'ACKNOWLEDGED' }),
      ),
    ).toEqual(['adapter:fulfil-partially', 'service:deliver']);
    expect(() => stepsFor(done('PACKAGE_STATE_COMPLETE', 'COMPLETION_OUTCOME_UNSPECIFIED'), order())).toThrow(
      /neither FULFILLED nor PARTIALLY_FULFILLED/,
    );
  });

  it('a refusal carries its grounds; an unknown ground or an empty report is refused', () => {
    const refused = report({
      refused: { ground: 'REFUSAL_GROUND_NOT_OUR_CUSTOMER', explanation: '', selectorIds: ['s1'] },
    });
    const [[actor, action]] = stepsFor(refused, order()) as unknown as [
      [{ kind: string }, { type: string; refusal: unknown }],
    ];
    expect(actor.kind).toBe('adapter');
    expect(action).toEqual({
      type: 'refuse',
      refusal: { ground: 'NOT_OUR_CUSTOMER', explanation: '', selectorIds: ['s1'] },
    });
    expect(() =>
      stepsFor(
        report({ refused: { ground: 'REFUSAL_GROUND_UNSPECIFIED', explanation: '', selectorIds: [] } }),
        order(),
      ),
    ).toThrow(/ground/);
    expect(kindOf(report({}))).toBeUndefined();
    expect(() => stepsFor(report({}), order())).toThrow(/says nothing/);
  });
});
