import type { Timestamp } from './generated/google/protobuf/timestamp.js';

const NANOS_PER_MILLI = 1_000_000;

/** A google.protobuf.Timestamp as proto-loader carries it (`seconds` is an int64 decimal string), from a Date. */
export function timestampFromDate(date: Date): Timestamp {
  const millis = date.getTime();
  if (Number.isNaN(millis)) throw new RangeError('invalid Date');
  const seconds = Math.floor(millis / 1000);
  return { seconds: String(seconds), nanos: (millis - seconds * 1000) * NANOS_PER_MILLI };
}

/** The Date of a google.protobuf.Timestamp, to millisecond precision (sub-millisecond nanos are dropped). */
export function dateFromTimestamp(timestamp: Timestamp): Date {
  const seconds = Number(timestamp.seconds);
  if (!Number.isSafeInteger(seconds)) throw new RangeError(`timestamp seconds out of range: ${timestamp.seconds}`);
  return new Date(seconds * 1000 + Math.floor(timestamp.nanos / NANOS_PER_MILLI));
}
