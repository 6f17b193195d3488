import { EvxError } from '#evx/errors';
import { defaultPolicyJson } from '../testing/workflow.fixtures.js';
import { loadPolicies, PolicyConfigError } from './policy.config.js';
import { policyForAgency } from './policy.model.js';

function problemsOf(json: unknown): readonly string[] {
  try {
    loadPolicies(json);
  } catch (error) {
    if (error instanceof PolicyConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a PolicyConfigError');
}

/** The default file with `patch` applied to the named agency's entry. */
function withAgency(agency: string, entry: unknown): Record<string, unknown> {
  const json = defaultPolicyJson();
  return { ...json, agencies: { ...(json.agencies as object), [agency]: entry } };
}

function withDefaults(patch: (defaults: Record<string, Record<string, unknown>>) => void): Record<string, unknown> {
  const json = defaultPolicyJson();
  patch(json.defaults as Record<string, Record<string, unknown>>);
  return json;
}

describe('loadPolicies', () => {
  it('loads the shipped default policy with the documented values', () => {
    const sut = loadPolicies(defaultPolicyJson());
    const policy = policyForAgency(sut, 'police-hn');
    expect([...sut.agencies.keys()]).toEqual(['police-hn', 'police-dn']);
    expect(policy.standard.TRAFFIC_DATA).toEqual([['SUPERVISOR'], ['JUDGE']]);
    expect(policy.standard.SUBSCRIBER_DATA).toEqual([['SUPERVISOR'], ['PROSECUTOR', 'JUDGE']]);
    expect(policy.standardDeadlineDays).toBe(10);
    expect(policy.emergency).toMatchObject({
      approverRoles: ['DUTY_OFFICER'],
      validatorRoles: ['JUDGE'],
      maxLookBackDays: 7,
      providerDeadlineHours: 8,
      validationWindowHours: 48,
      maxOpenBeforeSecondApproval: 3,
      minJustificationLength: 20,
    });
    expect(policy.emergency.allowedRequestTypes).not.toContain('STORED_CONTENT_DATA');
    expect(policy.preservation).toEqual({ periodDays: 60, extensionDays: 30, maxExtensions: 1 });
  });

  it('accepts the file as text', () => {
    expect(loadPolicies(JSON.stringify(defaultPolicyJson())).agencies.size).toBe(2);
  });

  it("merges an agency's settings over the defaults, key by key", () => {
    const sut = loadPolicies(
      withAgency('police-hn', {
        standard: { SUBSCRIBER_DATA: ['PROSECUTOR'] },
        emergency: { maxOpenBeforeSecondApproval: 0 },
        standardDeadlineDays: 5,
      }),
    );
    const policy = policyForAgency(sut, 'police-hn');
    expect(policy.standard.SUBSCRIBER_DATA).toEqual([['PROSECUTOR']]);
    expect(policy.standard.TRAFFIC_DATA).toEqual([['SUPERVISOR'], ['JUDGE']]);
    expect(policy.emergency.maxOpenBeforeSecondApproval).toBe(0);
    expect(policy.emergency.maxLookBackDays).toBe(7);
    expect(policy.standardDeadlineDays).toBe(5);
  });

  it('refuses an agency without a policy when asked for it', () => {
    const error = (() => {
      try {
        return policyForAgency(loadPolicies(defaultPolicyJson()), 'police-xx');
      } catch (caught) {
        return caught as EvxError;
      }
    })();
    expect(error).toBeInstanceOf(EvxError);
    expect((error as EvxError).message).toContain('Agency "police-xx" has no workflow policy');
  });

  it.each([
    [
      'an unknown approver role',
      withAgency('police-hn', { standard: { TRAFFIC_DATA: ['SUPERVISOR', 'judges'] } }),
      'agencies.police-hn.standard.TRAFFIC_DATA: unknown approver role "judges" in step 2; expected one of SUPERVISOR, PROSECUTOR, JUDGE, DUTY_OFFICER',
    ],
    [
      'a misspelt setting',
      withAgency('police-hn', { emergency: { maxLookbackDays: 3 } }),
      'agencies.police-hn.emergency.maxLookbackDays: unknown setting; expected one of approverRoles, validatorRoles, allowedRequestTypes, maxLookBackDays, providerDeadlineHours, validationWindowHours, maxOpenBeforeSecondApproval, minJustificationLength',
    ],
    [
      'an unknown request type',
      withAgency('police-hn', { standard: { CONTENT: ['JUDGE'] } }),
      'agencies.police-hn.standard.CONTENT: unknown setting; expected one of SUBSCRIBER_DATA',
    ],
    [
      'an unknown emergency category',
      withAgency('police-dn', { emergency: { allowedRequestTypes: ['SUBSCRIBER_DATA', 'EMAILS'] } }),
      'agencies.police-dn.emergency.allowedRequestTypes: unknown request type "EMAILS"',
    ],
    [
      'an empty approval chain',
      withAgency('police-hn', { standard: { ACCOUNT_DATA: [] } }),
      'agencies.police-hn.standard.ACCOUNT_DATA: must name at least one approval step: no data moves unapproved',
    ],
    [
      'a duty officer in the standard chain',
      withAgency('police-hn', { standard: { ACCOUNT_DATA: ['DUTY_OFFICER'] } }),
      'agencies.police-hn.standard.ACCOUNT_DATA: DUTY_OFFICER in step 1 approves emergency orders only',
    ],
    [
      'a validation window beyond 48 hours',
      withAgency('police-hn', { emergency: { validationWindowHours: 72 } }),
      'agencies.police-hn.emergency.validationWindowHours: must be from 1 to 48, not 72 (Regulation (EU) 2023/1543 Art 4(5) allows at most 48 hours)',
    ],
    [
      'a non-judicial validator',
      withAgency('police-hn', { emergency: { validatorRoles: ['SUPERVISOR'] } }),
      'agencies.police-hn.emergency.validatorRoles: SUPERVISOR cannot validate an emergency order',
    ],
    [
      'a fractional deadline',
      withAgency('police-hn', { standardDeadlineDays: 2.5 }),
      'agencies.police-hn.standardDeadlineDays: must be a whole number, not 2.5',
    ],
    [
      'a repeated role',
      withAgency('police-hn', { emergency: { approverRoles: ['DUTY_OFFICER', 'DUTY_OFFICER'] } }),
      'agencies.police-hn.emergency.approverRoles: lists a value twice',
    ],
    ['a bad agency id', withAgency('Police HN', {}), 'agencies.Police HN: is not an agency id'],
    [
      'a missing default',
      withDefaults((defaults) => delete defaults.preservation.extensionDays),
      'defaults.preservation.extensionDays: is required in the defaults',
    ],
    [
      'a default chain missing for a category',
      withDefaults((defaults) => delete defaults.standard.TRANSACTION_DATA),
      'defaults.standard.TRANSACTION_DATA: is required in the defaults',
    ],
    ['a wrong version', { ...defaultPolicyJson(), version: 2 }, 'version: must be 1, not 2'],
    ['no agencies', { ...defaultPolicyJson(), agencies: {} }, 'agencies: must list at least one agency'],
    ['invalid JSON text', '{"version": 1,', '(file): not valid JSON'],
  ])('names the setting at fault for %s', (_, json, expected) => {
    const problems = problemsOf(json);
    expect(problems.some((problem) => problem.startsWith(expected))).toBe(true);
  });

  it('reports every problem at once, as an invalid-argument EvxError', () => {
    const json = withAgency('police-hn', {
      standard: { TRAFFIC_DATA: ['judges'] },
      preservation: { maxExtensions: -1 },
    });
    let caught: unknown;
    try {
      loadPolicies(json);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyConfigError);
    const error = caught as PolicyConfigError;
    expect(error).toMatchObject({ kind: 'invalid-argument', code: 'INVALID_POLICY' });
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('The workflow policy is invalid (2 problems):');
    expect(error.message).toContain('- agencies.police-hn.preservation.maxExtensions: must be from 0 to 10, not -1');
  });
});
