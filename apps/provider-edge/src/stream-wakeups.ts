import { StreamWakeup } from '#evx/transport';

/**
 * One pair per provider-edge process, shared by its two Nest apps: a dispatch on the internal port wakes the
 * adapters' task streams on the public port, and an adapter's action wakes authority-api's report stream.
 */
export interface StreamWakeups {
  readonly tasks: StreamWakeup;
  readonly reports: StreamWakeup;
}

export const STREAM_WAKEUPS = Symbol('evx:provider-edge-stream-wakeups');

export function streamWakeups(): StreamWakeups {
  return { tasks: new StreamWakeup(), reports: new StreamWakeup() };
}
