// Hashing an opened archive's large payload files before anyone asks: started as soon as the archive is indexed, on
// worker threads, so the hashing overlaps whatever the caller does before validating (a verifier loading its
// X.509 code and trust material, say). The validator then takes these outcomes instead of hashing the files again
// (bag-content.checker.ts); it checks them exactly as its own, so nothing is trusted that was not hashed here.
import { defaultHashWorkers, HashPool, type FileRange, type HashOutcome } from './checksum.pool.js';
import { algorithmSpec } from './checksum.util.js';

/** Files at least this large are hashed on worker threads (here, and by the validator when nobody hashed ahead). */
export const WORKER_MIN_BYTES = 1 << 20;

/**
 * Jobs handed to each thread at once: the caller is busy meanwhile (loading a verifier blocks this thread for up to
 * ~75 ms at a time), and a thread must not wait for it to be handed its next file.
 */
const JOBS_PER_THREAD = 4;

export interface HashAheadOptions {
  /** Hashing threads; default `defaultHashWorkers()`. */
  readonly workers?: number;
}

interface Ahead {
  readonly algorithms: ReadonlySet<string>;
  readonly outcome: Promise<HashOutcome>;
}

export class HashAhead {
  private readonly ahead = new Map<string, Ahead>();
  private readonly pool: HashPool | undefined;
  private closed = false;

  /**
   * Starts hashing every payload file (`data/...`) of at least `WORKER_MIN_BYTES`, in path order, with the
   * algorithms of the bag's payload manifests as named in `files` (nothing is read to learn them). With no such
   * file or manifest, or when no thread can be started, nothing is hashed ahead.
   */
  constructor(
    files: ReadonlyMap<string, number>,
    locate: (path: string) => FileRange | undefined,
    options: HashAheadOptions = {},
  ) {
    const algorithms = new Set(
      [...files.keys()]
        .map((path) => /^manifest-([^/]+)\.txt$/.exec(path)?.[1])
        .filter((name): name is string => name !== undefined && algorithmSpec(name) !== undefined),
    );
    const jobs = [...files]
      .filter(([path, size]) => path.startsWith('data/') && size >= WORKER_MIN_BYTES)
      .map(([path]) => path)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap((path) => {
        const range = locate(path);
        return range === undefined ? [] : [{ path, range }];
      });
    const size = Math.min(options.workers ?? defaultHashWorkers(), jobs.length);
    if (algorithms.size === 0 || size === 0) return;
    try {
      this.pool = new HashPool(size, { jobsPerThread: JOBS_PER_THREAD });
    } catch {
      return; // threads cannot always be started (resource limits): the validator hashes as usual
    }
    for (const { path, range } of jobs)
      this.ahead.set(path, { algorithms, outcome: this.pool.hash(range, algorithms) });
    // The threads end with the last job, so a caller that never validates still exits.
    void Promise.all([...this.ahead.values()].map((a) => a.outcome)).then(() => this.pool?.close());
  }

  /**
   * The outcome for `path` with exactly `algorithms`, when it is hashed ahead with (at least) those; undefined
   * otherwise, and after `close` (the caller hashes it itself). Never rejects: a read error is the outcome's `error`.
   */
  outcome(path: string, algorithms: ReadonlySet<string>): Promise<HashOutcome> | undefined {
    const ahead = this.closed ? undefined : this.ahead.get(path);
    if (ahead === undefined || [...algorithms].some((name) => !ahead.algorithms.has(name))) return undefined;
    // Handed out once: a second validation of the same opened archive reads the file again.
    this.ahead.delete(path);
    return ahead.outcome.then(({ digests, ...rest }) =>
      digests === undefined
        ? rest
        : { ...rest, digests: Object.fromEntries([...algorithms].map((name) => [name, digests[name] as string])) },
    );
  }

  /** Stops the threads (outcomes handed out and not done yet end with an error); safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
  }
}
