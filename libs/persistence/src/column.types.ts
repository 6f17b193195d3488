import type { ValueTransformer } from 'typeorm';

/**
 * Columns use only types both SQLite and PostgreSQL accept. Times are epoch milliseconds in a bigint column;
 * PostgreSQL returns bigint as a string, so this transformer gives numbers back on both.
 */
export const epochMillis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/** Same as epochMillis for counters and sequence numbers stored as bigint (safe up to 2^53). */
export const bigintNumber = epochMillis;
