// Hashes large files on worker threads, several at once, reading each straight from its file (a directory bag's
// file, or a byte range of a tar) into one reused buffer. The validator's single pass over the payload is then
// spread over the CPUs instead of taking one core, and the main thread allocates nothing per chunk.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { algorithmSpec } from './checksum.util.js';

/** Where a file's bytes are: `length` bytes of `file` from `start`. */
export interface FileRange {
  readonly file: string;
  readonly start: number;
  readonly length: number;
  /** Open with O_NOFOLLOW (a directory bag's file, which must not be a link). */
  readonly noFollow: boolean;
}

export interface HashOutcome {
  /** Hex digests by BagIt algorithm name, or the error that stopped reading. */
  readonly digests?: Record<string, string>;
  readonly octets?: number;
  readonly error?: string;
}

/** Default number of hashing threads: the CPUs, up to 4. */
export function defaultHashWorkers(): number {
  return Math.min(4, availableParallelism());
}

// An eval'd CommonJS script, so the same code runs from dist/ and under jest (which runs the .ts sources).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, readSync, closeSync, constants } = require('node:fs');
const { createHash } = require('node:crypto');
const buffer = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', ({ id, file, start, length, noFollow, algorithms }) => {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | (noFollow ? (constants.O_NOFOLLOW || 0) : 0));
    const hashes = algorithms.map(([name, node]) => [name, createHash(node)]);
    let octets = 0;
    for (;;) {
      const want = Math.min(buffer.length, length - octets);
      if (want <= 0) break;
      const got = readSync(fd, buffer, 0, want, start + octets);
      if (got === 0) break;
      const chunk = buffer.subarray(0, got);
      for (const [, hash] of hashes) hash.update(chunk);
      octets += got;
    }
    const digests = {};
    for (const [name, hash] of hashes) digests[name] = hash.digest('hex');
    parentPort.postMessage({ id, digests, octets });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

interface Job {
  readonly id: number;
  readonly range: FileRange;
  readonly algorithms: readonly string[];
  resolve(outcome: HashOutcome): void;
}

export interface HashPoolOptions {
  /**
   * Jobs handed to each thread at once (default 1). More keep the threads busy while this thread is busy elsewhere
   * (loading code, say) and cannot hand them the next job; a thread that dies fails every job it holds.
   */
  readonly jobsPerThread?: number;
}

/** A pool of hashing threads; `close` when done. Jobs start in the order given, `size` at a time. */
export class HashPool {
  /** One entry per job a thread can take now (a thread appears up to `jobsPerThread` times). */
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<number, { job: Job; worker: Worker }>();
  private readonly workers: Worker[] = [];
  private readonly dead = new Set<Worker>();
  private closing = false;
  private nextId = 0;

  constructor(size: number, options: HashPoolOptions = {}) {
    for (let i = 0; i < size; i++) {
      let worker: Worker;
      try {
        worker = new Worker(WORKER_SOURCE, { eval: true });
      } catch (error) {
        // The threads already started would keep the process alive: stop them before giving up.
        this.closing = true;
        for (const started of this.workers) void started.terminate();
        throw error;
      }
      worker.on('message', (message: HashOutcome & { id: number }) => this.done(worker, message));
      worker.on('error', (error) => this.failAll(worker, error));
      worker.on('exit', (code) => this.failAll(worker, new Error(`hashing thread exited with code ${code}`)));
      this.workers.push(worker);
    }
    // Interleaved, so that consecutive jobs go to different threads.
    for (let slot = 0; slot < Math.max(1, options.jobsPerThread ?? 1); slot++) this.idle.push(...this.workers);
  }

  /** Hashes the range with the given BagIt algorithms; never rejects (a read error is the outcome's `error`). */
  hash(range: FileRange, algorithms: Iterable<string>): Promise<HashOutcome> {
    return new Promise((resolve) => {
      if (this.closing) return resolve({ error: 'hashing was stopped' });
      if (this.dead.size === this.workers.length) return resolve({ error: 'no hashing thread is running' });
      this.queue.push({ id: this.nextId++, range, algorithms: [...algorithms], resolve });
      this.pump();
    });
  }

  /** Stops the threads; jobs not finished yet end with an error outcome (none is left pending). */
  async close(): Promise<void> {
    this.closing = true;
    const unfinished = [...this.queue.splice(0), ...[...this.running.values()].map((entry) => entry.job)];
    this.running.clear();
    for (const job of unfinished) job.resolve({ error: 'hashing was stopped' });
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as Job;
      this.running.set(job.id, { job, worker });
      const algorithms = job.algorithms.map((name) => [name, algorithmSpec(name)?.node ?? name]);
      worker.postMessage({ id: job.id, ...job.range, algorithms });
    }
  }

  private done(worker: Worker, message: HashOutcome & { id: number }): void {
    const entry = this.running.get(message.id);
    if (entry === undefined) return;
    this.running.delete(message.id);
    const { id: _id, ...outcome } = message;
    entry.job.resolve(outcome);
    this.idle.push(worker);
    this.pump();
  }

  /** A worker that dies fails its jobs and is not reused; the others take the queue, or it fails with the last. */
  private failAll(worker: Worker, error: Error): void {
    if (this.closing || this.dead.has(worker)) return;
    this.dead.add(worker);
    for (let i = this.idle.indexOf(worker); i !== -1; i = this.idle.indexOf(worker)) this.idle.splice(i, 1);
    for (const [id, entry] of this.running) {
      if (entry.worker !== worker) continue;
      this.running.delete(id);
      entry.job.resolve({ error: error.message });
    }
    if (this.dead.size === this.workers.length) {
      for (const job of this.queue.splice(0)) job.resolve({ error: error.message });
    }
  }
}
