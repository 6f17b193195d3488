/**
 * An in-process signal that new rows exist for a cursor stream, so open streams read at once instead of at their
 * next poll. It only shortens the wait: polling still finds rows written by another instance of the service.
 */
export class StreamWakeup {
  private readonly listeners = new Set<() => void>();

  /** Call after the transaction that wrote the rows has committed. */
  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}
