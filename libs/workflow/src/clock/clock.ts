/**
 * Where "now" comes from. The workflow's functions take `now` as an argument and never read a clock themselves;
 * the application and the scheduler hold a Clock, so tests drive time with ManualClock instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const MILLIS_PER_HOUR = 3_600_000;
export const MILLIS_PER_DAY = 24 * MILLIS_PER_HOUR;

export function addHours(instant: Date, hours: number): Date {
  return new Date(instant.getTime() + hours * MILLIS_PER_HOUR);
}

export function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * MILLIS_PER_DAY);
}

/** The earlier of two instants; `undefined` is "no limit". */
export function earliest(a: Date, b: Date | undefined): Date {
  return b !== undefined && b.getTime() < a.getTime() ? b : a;
}
