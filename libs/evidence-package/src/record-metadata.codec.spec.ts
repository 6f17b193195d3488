// Record metadata is checked by the reader's rules before it is encoded: what the writer accepts, the reader parses
// back to the same document, and what the reader would refuse the writer never encodes.
import { describe, expect, it } from '@jest/globals';
import { FormatError } from './canonical.util.js';
import { encodeRecordMetadata, parseRecordMetadata, type RecordMetadata } from './record-metadata.codec.js';

const good: RecordMetadata = {
  sequenceNumber: 7,
  requestType: 'REQUEST_TYPE_LOCATION_DATA',
  selectorId: 's1',
  recordTime: '2026-11-20T08:15:00.000Z',
  contentType: 'application/json',
  payloadSize: 173,
  payloadSha256: 'ab'.repeat(32),
};

describe('encodeRecordMetadata', () => {
  it('writes canonical bytes that parse back to the same metadata', () => {
    const bytes = encodeRecordMetadata(good);
    expect(Buffer.from(bytes).toString('utf8')).toBe(
      '{"contentType":"application/json","payloadSha256":"' +
        'ab'.repeat(32) +
        '","payloadSize":173,"recordTime":"2026-11-20T08:15:00.000Z","requestType":"REQUEST_TYPE_LOCATION_DATA",' +
        '"selectorId":"s1","sequenceNumber":7,"type":"evx.record.v1"}',
    );
    expect(parseRecordMetadata(bytes)).toEqual(good);
  });

  it.each<[string, Partial<Record<keyof RecordMetadata | 'extra', unknown>>]>([
    ['a fractional sequence number', { sequenceNumber: 1.5 }],
    ['sequence number 0', { sequenceNumber: 0 }],
    ['a negative payload size', { payloadSize: -1 }],
    ['an unknown request type spelling', { requestType: 'location' }],
    ['a selector id with a space', { selectorId: 's 1' }],
    ['a time without milliseconds', { recordTime: '2026-11-20T08:15:00Z' }],
    ['a content type without a slash', { contentType: 'json' }],
    ['a content type with a non-ASCII character', { contentType: 'text/plain; charset=\u00e9' }],
    ['an uppercase payload hash', { payloadSha256: 'AB'.repeat(32) }],
    ['a member the format does not have', { extra: 1 }],
  ])('refuses %s', (_what, change) => {
    expect(() => encodeRecordMetadata({ ...good, ...change } as RecordMetadata)).toThrow(FormatError);
  });
});
