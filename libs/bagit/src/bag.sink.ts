/**
 * Where the writer's entries go. The writer produces one sequence of entries (directories, then files streamed in
 * order) and every output format is a sink over that sequence, so a bag written to a directory and the same bag
 * written as a tar cannot drift apart. Paths are bag-relative, '/'-separated, without a trailing '/'; '' is the
 * bag's base directory.
 */
export interface BagSink {
  /** Whether `beginFile` must know the size (tar headers carry it before the data). */
  readonly needsSize: boolean;
  directory(path: string): Promise<void>;
  beginFile(path: string, size: number | undefined): Promise<void>;
  write(chunk: Uint8Array): Promise<void>;
  endFile(): Promise<void>;
  /** Completes the output (end-of-archive marker, flush); the sink is unusable afterwards. */
  finish(): Promise<void>;
  /** Gives up: releases handles and removes or poisons partial output. Never throws. */
  abort(reason: Error): Promise<void>;
}
