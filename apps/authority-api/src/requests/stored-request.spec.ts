import { describe, expect, it } from '@jest/globals';
import { encodeRequestDocument } from '#evx/authorisation';
import { parseAuthorisationRequest } from '#evx/evidence-package';
import { anAuthorisation, anEmergencyDraftInput } from '../../../../libs/workflow/src/testing/workflow.fixtures.js';
import { authorisationToWire, draftFromWire } from './authorisation.wire.js';
import { decodeStoredRequest, encodeStoredRequest } from './stored-request.js';
import { taskIdOf } from './task-dispatcher.service.js';

describe('stored orders and their wire form', () => {
  const sut = anAuthorisation('PROVISIONALLY_APPROVED', {}, anEmergencyDraftInput());
  const request = encodeRequestDocument(sut.authorisationId, sut.details, sut.createdAt);

  it('round-trips an order with its times as Dates and its bundle bytes', () => {
    const stored = { authorisation: sut, bundle: { request, approvals: [] } };
    const back = decodeStoredRequest(encodeStoredRequest(stored));
    expect(back.authorisation).toEqual(sut);
    expect(Buffer.from(back.bundle.request).equals(Buffer.from(request))).toBe(true);
  });

  it('turns only the times into Dates, at any depth, not text that looks like a time', () => {
    const when = '2026-11-20T08:15:00.000Z';
    const text = JSON.stringify({
      authorisation: {
        createdAt: when,
        statusReason: when,
        clarifications: [{ askedAt: when, question: when }],
        details: { requestDetails: { timeRange: { start: when, end: when } }, emergency: { justification: when } },
      },
      bundle: { request: Buffer.from('x').toString('base64'), approvals: [] },
    });
    const a = decodeStoredRequest(text).authorisation as unknown as {
      createdAt: unknown;
      statusReason: unknown;
      clarifications: { askedAt: unknown; question: unknown }[];
      details: { requestDetails: { timeRange: { start: unknown } }; emergency: { justification: unknown } };
    };
    expect(a.createdAt).toEqual(new Date(when));
    expect(a.clarifications[0]!.askedAt).toEqual(new Date(when));
    expect(a.details.requestDetails.timeRange.start).toEqual(new Date(when));
    expect(a.statusReason).toBe(when);
    expect(a.clarifications[0]!.question).toBe(when);
    expect(a.details.emergency.justification).toBe(when);
  });

  it('makes the canonical request the evidence package codec reads', () => {
    const doc = parseAuthorisationRequest(request);
    expect(doc.requesterUri).toBe(sut.details.requesterUri);
    expect(doc.urgency).toBe('URGENCY_EMERGENCY');
    expect(doc.requestDetails).toEqual({
      requestTypes: ['REQUEST_TYPE_LOCATION_DATA'],
      selectors: [{ selectorId: 's1', msisdn: '+31612345678' }],
      timeRange: {
        start: sut.details.requestDetails.timeRange!.start.toISOString(),
        end: sut.details.requestDetails.timeRange!.end.toISOString(),
      },
    });
  });

  it('maps the wire details back to the draft the requester wrote', () => {
    const wire = authorisationToWire(sut, { request, approvals: [] });
    const { issuingAgencyId: _a, requesterUri: _r, ...draft } = sut.details;
    expect(draftFromWire(wire.details)).toEqual(draft);
  });

  it('hides selectors, justification and the bundle from auditors', () => {
    const wire = authorisationToWire(sut, { request, approvals: [] }, true);
    expect(wire.details!.requestDetails!.selectors).toEqual([]);
    expect(wire.details!.emergency!.justification).toBe('');
    expect(wire.bundle).toBeUndefined();
  });

  it('derives one stable task id per order', () => {
    expect(taskIdOf(sut.authorisationId)).toBe(taskIdOf(sut.authorisationId));
    expect(taskIdOf(sut.authorisationId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
