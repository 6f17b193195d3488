import type { Clock } from './clock.js';
import { MILLIS_PER_DAY, MILLIS_PER_HOUR } from './clock.js';

export interface ClockStep {
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
  readonly millis?: number;
}

/** A clock that moves only when told to: for tests and for replaying a scenario deterministically. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2030-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(step: ClockStep): Date {
    const millis =
      (step.days ?? 0) * MILLIS_PER_DAY +
      (step.hours ?? 0) * MILLIS_PER_HOUR +
      (step.minutes ?? 0) * 60_000 +
      (step.millis ?? 0);
    if (millis < 0) throw new Error('ManualClock only moves forward; build a new one to go back');
    this.current += millis;
    return this.now();
  }

  set(instant: Date | string): Date {
    this.current = new Date(instant).getTime();
    return this.now();
  }
}
