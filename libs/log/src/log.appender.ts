import {
  LogKeyConflictError,
  type AppendResult,
  type LogEntryInput,
  type TransparencyLog,
} from './transparency-log.js';

interface Pending {
  inputs: readonly LogEntryInput[];
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit: appends that arrive while a batch is being sequenced wait and go together in the next one, so the
 * cost of a transaction and a checkpoint signature is shared by many entries. Each caller still gets its own
 * indexes and a checkpoint that covers them.
 */
export class LogAppender {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly log: TransparencyLog,
    private readonly maxBatch = 2000,
  ) {}

  append(inputs: readonly LogEntryInput[]): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ inputs, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        try {
          const result = await this.log.append(batch.flatMap((p) => p.inputs));
          let offset = 0;
          for (const p of batch) {
            p.resolve({
              indexes: result.indexes.slice(offset, offset + p.inputs.length),
              checkpoint: result.checkpoint,
            });
            offset += p.inputs.length;
          }
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async oneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        p.resolve(await this.log.append(p.inputs));
      } catch (error) {
        p.reject(error);
      }
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0 && (batch.length === 0 || count + this.queue[0].inputs.length <= this.maxBatch)) {
      const next = this.queue.shift() as Pending;
      batch.push(next);
      count += next.inputs.length;
    }
    return batch;
  }
}
