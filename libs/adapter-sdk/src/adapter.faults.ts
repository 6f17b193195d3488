// Fault hooks, for tests and the reference adapters' fault injection: they break the SDK's own connection on
// purpose so that the recovery paths (resume, reconnect) run through the real services.

export interface AdapterFaults {
  /** Cut the first upload stream (client-side cancel) after this many records were written on it. Once per adapter. */
  dropUploadAfterRecords?: number;
}

/** Tracks which one-shot faults have fired. */
export class FaultPlan {
  private dropped = false;

  constructor(private readonly faults: AdapterFaults = {}) {}

  /** True exactly once: when the upload stream should be cut now, having written `written` records. */
  shouldDropUpload(written: number): boolean {
    const after = this.faults.dropUploadAfterRecords;
    if (this.dropped || after === undefined || written < after) return false;
    this.dropped = true;
    return true;
  }
}
