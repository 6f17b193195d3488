// Task outcomes as an adapter reports them (TaskOutcome), with the time each arrived, awaited by task id. An outcome
// may arrive before the benchmark knows the task's id (dispatch is faster than the approval's response).
export interface TimedOutcome {
  readonly at: number;
  readonly result: string;
  readonly reason?: string;
  readonly recordCount?: number;
}

export class OutcomeBoard {
  private readonly outcomes = new Map<string, TimedOutcome>();
  private readonly waiters = new Map<string, (o: TimedOutcome) => void>();

  /** For AdapterOptions.onOutcome / MockAdapterOptions.onOutcome. */
  readonly record = (o: { taskId: string; result: string; reason?: string; recordCount?: number }): void => {
    if (o.result === 'skipped') return; // a repeat of a generation already dealt with
    const timed: TimedOutcome = {
      at: performance.now(),
      result: o.result,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.recordCount !== undefined ? { recordCount: o.recordCount } : {}),
    };
    this.outcomes.set(o.taskId, timed);
    this.waiters.get(o.taskId)?.(timed);
  };

  /** The outcome of `taskId`, which must be `fulfilled`. */
  async fulfilled(taskId: string, timeoutMs: number): Promise<TimedOutcome> {
    if (!taskId) throw new Error('the order has no task id after its approval: was it dispatched?');
    let timer: NodeJS.Timeout | undefined;
    const outcome =
      this.outcomes.get(taskId) ??
      (await Promise.race([
        new Promise<TimedOutcome>((resolve) => this.waiters.set(taskId, resolve)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no outcome for task ${taskId} within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]).finally(() => {
        clearTimeout(timer);
        this.waiters.delete(taskId);
      }));
    if (outcome.result !== 'fulfilled')
      throw new Error(`task ${taskId} ended ${outcome.result}: ${outcome.reason ?? ''}`);
    return outcome;
  }
}
