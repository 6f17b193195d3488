// Peak resident memory of child processes while something runs, sampled from /proc.
import type { ServiceProcess } from './service-processes.js';
import { rssOf } from './service-processes.js';

export interface RssGrowth {
  /** Service name → peak RSS minus RSS when sampling started, bytes. */
  readonly growth: Record<string, number>;
  readonly before: Record<string, number>;
  readonly peak: Record<string, number>;
}

export class RssSampler {
  private readonly before: Record<string, number> = {};
  private readonly peak: Record<string, number> = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly processes: readonly ServiceProcess[],
    private readonly everyMs = 20,
  ) {}

  start(): void {
    for (const p of this.processes) this.before[p.name] = this.peak[p.name] = this.read(p);
    this.timer = setInterval(() => {
      for (const p of this.processes) this.peak[p.name] = Math.max(this.peak[p.name] ?? 0, this.read(p));
    }, this.everyMs);
  }

  stop(): RssGrowth {
    clearInterval(this.timer);
    const growth: Record<string, number> = {};
    for (const p of this.processes) {
      this.peak[p.name] = Math.max(this.peak[p.name] ?? 0, this.read(p));
      growth[p.name] = (this.peak[p.name] ?? 0) - (this.before[p.name] ?? 0);
    }
    return { growth, before: { ...this.before }, peak: { ...this.peak } };
  }

  private read(p: ServiceProcess): number {
    const pid = p.child.pid;
    try {
      return pid ? rssOf(pid) : 0;
    } catch {
      return 0; // exited: its last sample stands
    }
  }
}
