// Streaming, deterministic BagIt 1.0 writer. Entry order and tar header choices are specified in README.md.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { BagPathError, BagWriteError } from './bag.errors.js';
import { BagPathRegistry } from './bag-path.registry.js';
import { ancestorsOf, compareBagPaths, describePathProblem } from './bag-path.util.js';
import type { BagSink } from './bag.sink.js';
import { algorithmSpec, MultiHasher, type BagAlgorithm } from './checksum.util.js';
import { DirectorySink } from './directory.sink.js';
import { spoolToTempFile } from './spool.util.js';
import { TarSink } from './tar.sink.js';
import { bagInfoTxt, bagitTxt, manifestTxt, type BagInfoField } from './tag-file.builder.js';
import { checkOptions, checkTarOptions, pathError, pathProblem } from './writer-input.check.js';

export type PayloadSource = Readable | AsyncIterable<Uint8Array>;

export interface BagWriterOptions {
  /** Source of `Bagging-Date` (its UTC day) and of every entry's mtime. The writer never reads the clock. */
  readonly baggingDate: Date;
  /** bag-info.txt fields in order, before the computed `Bagging-Date` and `Payload-Oxum`. */
  readonly bagInfo?: readonly BagInfoField[];
  /** Manifest algorithms; default `['sha256']`. */
  readonly algorithms?: readonly BagAlgorithm[];
  /** Where payloads of unknown length are spooled before going into a tar; default `os.tmpdir()`. */
  readonly spoolDir?: string;
}

export interface BagTarOptions extends BagWriterOptions {
  /** The single top-level directory inside the archive (RFC 8493 predecessors: the bag's base directory name). */
  readonly baseName: string;
}

export interface BagFileRecord {
  readonly path: string;
  readonly size: number;
  /** Lower-case hex digest by algorithm name. */
  readonly digests: Readonly<Record<string, string>>;
}

export interface BagSummary {
  /** "<octets>.<count>" as written to bag-info.txt. */
  readonly payloadOxum: string;
  readonly payload: readonly BagFileRecord[];
  /** Every tag file, tag manifests last; e.g. to sign the digest of tagmanifest-sha256.txt. */
  readonly tagFiles: readonly BagFileRecord[];
}

type State = 'open' | 'busy' | 'finished' | 'failed';

export class BagWriter {
  private state: State = 'open';
  private started = false;
  private lastPayload: string | undefined;
  private readonly registry = new BagPathRegistry();
  private readonly emittedDirs = new Set<string>(['']);
  private readonly payload: BagFileRecord[] = [];
  private readonly tags = new Map<string, Buffer>();
  /** The manifest algorithms, sorted (each payload's digests come back from `addPayload`). */
  readonly algorithms: readonly BagAlgorithm[];
  private readonly bagInfo: readonly BagInfoField[];

  private constructor(
    private readonly sink: BagSink,
    private readonly options: BagWriterOptions,
  ) {
    const requested: readonly BagAlgorithm[] = options.algorithms ?? ['sha256'];
    this.algorithms = [...new Set(requested)].sort();
    this.bagInfo = [...(options.bagInfo ?? [])];
    this.registry.claimDirectory('data');
    for (const name of [
      'bagit.txt',
      'bag-info.txt',
      ...this.algorithms.flatMap((a) => [`manifest-${a}.txt`, `tagmanifest-${a}.txt`]),
    ]) {
      this.registry.claimFile(name);
    }
  }

  /** Writes the bag into `dir`, which must not exist yet (its parent must). */
  static async toDirectory(dir: string, options: BagWriterOptions): Promise<BagWriter> {
    checkOptions(options);
    return new BagWriter(await DirectorySink.create(dir, options.baggingDate), options);
  }

  /** Streams the bag as a tar into `out`; `finish()` ends `out`. */
  static toTar(out: Writable, options: BagTarOptions): BagWriter {
    checkTarOptions(options);
    const mtime = Math.floor(options.baggingDate.getTime() / 1000);
    return new BagWriter(new TarSink(out, options.baseName, mtime), options);
  }

  /** Creates `file` (it must not exist) and streams the tar into it. */
  static async toTarFile(file: string, options: BagTarOptions): Promise<BagWriter> {
    checkTarOptions(options); // before creating the file, so bad options leave nothing behind
    const out = createWriteStream(file, { flags: 'wx', mode: 0o644 });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', reject);
    });
    return BagWriter.toTar(out, options);
  }

  /**
   * Streams one payload file, hashing as it goes. `path` starts with "data/"; calls must be sequential and in
   * ascending byte order of path (that is what makes the output canonical). With `size` the data goes straight
   * to the output and must match it exactly; without it, tar output is spooled to a temporary file first.
   * A path problem throws `BagPathError` and leaves the writer usable; any failure after that aborts the bag.
   * `digests`, when given with `size`, are the file's digests for every manifest algorithm as the caller computed
   * them from the same bytes (e.g. on a worker thread, while this thread writes); the bytes are then not hashed here.
   */
  async addPayload(
    path: string,
    source: PayloadSource,
    size?: number,
    digests?: Promise<Readonly<Record<string, string>>>,
  ): Promise<BagFileRecord> {
    this.requireOpen();
    this.checkPayloadPath(path);
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
      throw new BagWriteError(`size of ${path} must be a non-negative integer`);
    }
    this.registry.claimFile(path);
    this.lastPayload = path;
    return this.guard(async () => {
      await this.start();
      for (const dir of ancestorsOf(path)) await this.emitDirectory(dir);
      const hasher = new MultiHasher(digests && size !== undefined ? [] : this.algorithms);
      if (size === undefined && this.sink.needsSize) {
        const spool = await spoolToTempFile(source, hasher, this.options.spoolDir);
        try {
          await this.sink.beginFile(path, hasher.size);
          for await (const chunk of spool.read()) await this.sink.write(chunk);
        } finally {
          await spool.dispose();
        }
      } else {
        await this.sink.beginFile(path, size);
        for await (const chunk of source) {
          const bytes = asBytes(chunk, path);
          if (size !== undefined && hasher.size + bytes.byteLength > size) {
            throw new BagWriteError(`${path}: source yields more than the declared ${size} bytes`);
          }
          hasher.update(bytes);
          await this.sink.write(bytes);
        }
        if (size !== undefined && hasher.size !== size) {
          throw new BagWriteError(`${path}: source yielded ${hasher.size} bytes, ${size} were declared`);
        }
      }
      await this.sink.endFile();
      const record: BagFileRecord = {
        path,
        size: hasher.size,
        digests: digests && size !== undefined ? await this.given(path, digests) : hasher.digest(),
      };
      this.payload.push(record);
      return record;
    });
  }

  /** Digests the caller computed: one lowercase hex digest per manifest algorithm, or the write fails. */
  private async given(
    path: string,
    digests: Promise<Readonly<Record<string, string>>>,
  ): Promise<Record<string, string>> {
    const given = await digests;
    const out: Record<string, string> = {};
    for (const alg of this.algorithms) {
      const digest = given[alg];
      if (digest === undefined || !/^[0-9a-f]+$/.test(digest) || digest.length !== hexLengthOf(alg)) {
        throw new BagWriteError(`${path}: no ${alg} digest was given for it`);
      }
      out[alg] = digest;
    }
    return out;
  }

  /** Adds a tag file outside "data/" (e.g. "evx/order.json"); it is written, and listed, by `finish()`. */
  addTagFile(path: string, bytes: Uint8Array): void {
    this.requireOpen();
    const problem = pathProblem(path) ?? (path === 'data' || path.startsWith('data/') ? 'in-payload' : undefined);
    if (problem !== undefined) throw pathError(problem, path);
    if (path === 'fetch.txt' || /^(tag)?manifest-[^/]*\.txt$/.test(path)) throw pathError('reserved-name', path);
    this.registry.claimFile(path);
    this.tags.set(path, Buffer.from(bytes));
  }

  /** Writes bag-info.txt, the manifests and the tag manifests, then completes the output. */
  async finish(): Promise<BagSummary> {
    this.requireOpen();
    return this.guard(async () => {
      await this.start();
      const octets = this.payload.reduce((sum, r) => sum + r.size, 0);
      const files = new Map(this.tags);
      files.set('bag-info.txt', bagInfoTxt(this.bagInfo, this.options.baggingDate, octets, this.payload.length));
      for (const alg of this.algorithms) {
        files.set(
          `manifest-${alg}.txt`,
          manifestTxt(this.payload.map((r) => ({ path: r.path, digest: r.digests[alg] ?? '' }))),
        );
      }
      const tagRecords: BagFileRecord[] = [await this.record('bagit.txt', bagitTxt(), false)];
      for (const path of [...files.keys()].sort(compareBagPaths)) {
        tagRecords.push(await this.record(path, files.get(path) ?? Buffer.alloc(0), true));
      }
      const manifests = this.algorithms.map((alg) => {
        const entries = tagRecords.map((r) => ({ path: r.path, digest: r.digests[alg] ?? '' }));
        return [`tagmanifest-${alg}.txt`, manifestTxt(entries)] as const;
      });
      for (const [path, bytes] of manifests) tagRecords.push(await this.record(path, bytes, true));
      await this.sink.finish();
      this.state = 'finished';
      return { payloadOxum: `${octets}.${this.payload.length}`, payload: [...this.payload], tagFiles: tagRecords };
    });
  }

  /** Abandons the bag: a directory output is removed, a tar output stream is destroyed. */
  async abort(): Promise<void> {
    if (this.state === 'finished' || this.state === 'failed') return;
    this.state = 'failed';
    await this.sink.abort(new BagWriteError('bag writing aborted'));
  }

  /** bagit.txt goes first, right after the base and before data/, so a streaming reader learns the version first. */
  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.sink.directory('');
    await this.emitFile('bagit.txt', bagitTxt());
    await this.emitDirectory('data');
  }

  private async record(path: string, bytes: Buffer, emit: boolean): Promise<BagFileRecord> {
    if (emit) {
      for (const dir of ancestorsOf(path)) await this.emitDirectory(dir);
      await this.emitFile(path, bytes);
    }
    const hasher = new MultiHasher(this.algorithms);
    hasher.update(bytes);
    return { path, size: bytes.length, digests: hasher.digest() };
  }

  private async emitDirectory(path: string): Promise<void> {
    if (this.emittedDirs.has(path)) return;
    this.emittedDirs.add(path);
    await this.sink.directory(path);
  }

  private async emitFile(path: string, bytes: Buffer): Promise<void> {
    await this.sink.beginFile(path, bytes.length);
    if (bytes.length > 0) await this.sink.write(bytes);
    await this.sink.endFile();
  }

  private checkPayloadPath(path: string): void {
    const problem = pathProblem(path) ?? (path.startsWith('data/') ? undefined : 'not-in-payload');
    if (problem !== undefined) throw pathError(problem, path);
    if (this.lastPayload !== undefined && compareBagPaths(this.lastPayload, path) >= 0) {
      throw new BagPathError(
        'out-of-order',
        path,
        `${JSON.stringify(path)}: ${describePathProblem('out-of-order')} (previous: ${JSON.stringify(this.lastPayload)})`,
      );
    }
  }

  private requireOpen(): void {
    if (this.state === 'busy') throw new BagWriteError('another writer operation is still running; await it first');
    if (this.state !== 'open') throw new BagWriteError(`the writer is ${this.state}`);
  }

  /** Runs an output step; once bytes may have been written, any failure poisons the whole bag. */
  private async guard<T>(step: () => Promise<T>): Promise<T> {
    this.state = 'busy';
    try {
      const result = await step();
      if (this.state === 'busy') this.state = 'open';
      return result;
    } catch (error) {
      this.state = 'failed';
      await this.sink.abort(error instanceof Error ? error : new BagWriteError(String(error)));
      throw error;
    }
  }
}

function asBytes(chunk: unknown, path: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new BagWriteError(`${path}: payload sources must yield Uint8Array chunks (got ${typeof chunk})`);
}

const HEX_LENGTHS = new Map<string, number>();

/** How many hex digits a digest of `algorithm` has (e.g. 64 for sha256). */
function hexLengthOf(algorithm: BagAlgorithm): number {
  let length = HEX_LENGTHS.get(algorithm);
  if (length === undefined) {
    length = createHash(algorithmSpec(algorithm)?.node ?? algorithm).digest('hex').length;
    HEX_LENGTHS.set(algorithm, length);
  }
  return length;
}
