import { aDraftInput, at, DAY, detailsOf, errorOf, T0 } from '../testing/workflow.fixtures.js';
import { checkAuthorisationDetails, selectorProblem } from './authorisation-details.check.js';
import type { Selector } from './request-details.model.js';

describe('checkAuthorisationDetails', () => {
  it.each<[string, Selector, string | undefined]>([
    ['an E.164 MSISDN', { selectorId: 's1', kind: 'msisdn', value: '+31612345678' }, undefined],
    ['a national MSISDN', { selectorId: 's1', kind: 'msisdn', value: '0612345678' }, 'MSISDN must be E.164'],
    ['an IMSI', { selectorId: 's1', kind: 'imsi', value: '204081234567890' }, undefined],
    ['an IMEI with letters', { selectorId: 's1', kind: 'imei', value: '35-209900-176148' }, 'IMEI must be'],
    ['an IBAN', { selectorId: 's1', kind: 'iban', value: 'NL91ABNA0417164300' }, undefined],
    ['an IBAN with spaces', { selectorId: 's1', kind: 'iban', value: 'NL91 ABNA 0417 1643 00' }, 'upper-case IBAN'],
    [
      'a national ID',
      { selectorId: 's1', kind: 'nationalId', value: { countryCode: 'NL', value: '123456782' } },
      undefined,
    ],
    [
      'an IP observation',
      { selectorId: 's1', kind: 'ipObservation', value: { ipAddress: '2001:db8::1', port: 0, observedTime: T0 } },
      undefined,
    ],
    [
      'a bad IP address',
      { selectorId: 's1', kind: 'ipObservation', value: { ipAddress: '300.1.1.1', port: 80, observedTime: T0 } },
      'is not an IPv4 or IPv6 address',
    ],
  ])('judges %s', (_, selector, problem) => {
    const found = selectorProblem(selector);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it('refuses a malformed selector with code UNKNOWN_SELECTOR', () => {
    const input = aDraftInput({
      requestDetails: {
        requestTypes: ['SUBSCRIBER_DATA'],
        selectors: [{ selectorId: 's1', kind: 'imsi', value: 'x' }],
      },
    });
    const error = errorOf(() => checkAuthorisationDetails(detailsOf(input), T0));
    expect(error).toMatchObject({ kind: 'invalid-argument', code: 'UNKNOWN_SELECTOR' });
  });

  it('refuses a reversed time range, a past deadline and a preservation following a preservation', () => {
    const input = aDraftInput({
      requestDetails: {
        requestTypes: ['TRAFFIC_DATA'],
        selectors: [{ selectorId: 's1', kind: 'msisdn', value: '+31612345678' }],
        timeRange: { start: T0, end: at(-DAY) },
      },
      requestedDeadline: at(-1),
      preservationOnly: true,
      preservationAuthorisationId: 'p-1',
    });
    const error = errorOf(() => checkAuthorisationDetails(detailsOf(input), T0));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('timeRange: start must be before end');
    expect(error.message).toContain('requestedDeadline is in the past');
    expect(error.message).toContain('cannot follow another preservation order');
  });
});
