import { describe, expect, it } from '@jest/globals';
import { dateFromTimestamp, timestampFromDate } from './timestamp.codec.js';

describe('timestampFromDate / dateFromTimestamp', () => {
  it('writes seconds as an int64 decimal string and milliseconds as nanos', () => {
    expect(timestampFromDate(new Date('2025-11-26T05:42:00.123Z'))).toEqual({ seconds: '1764135720', nanos: 123_000_000 });
  });

  it('keeps nanos non-negative before 1970, as google.protobuf.Timestamp requires', () => {
    expect(timestampFromDate(new Date(-1))).toEqual({ seconds: '-1', nanos: 999_000_000 });
  });

  it('round-trips to the millisecond and drops sub-millisecond nanos', () => {
    const date = new Date('2025-11-26T05:42:00.123Z');
    expect(dateFromTimestamp(timestampFromDate(date))).toEqual(date);
    expect(dateFromTimestamp({ seconds: '1764135720', nanos: 123_999_999 })).toEqual(date);
  });

  it('refuses values a Date cannot hold', () => {
    expect(() => timestampFromDate(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => dateFromTimestamp({ seconds: '9007199254740993', nanos: 0 })).toThrow(RangeError);
  });
});
