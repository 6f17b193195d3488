// Where an adapter keeps its task-stream position between runs. The stream is at-least-once: the cursor of an event
// is saved only after the event was acted on, so a crash repeats work (which the SDK makes idempotent) but never
// skips it.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface CursorStore {
  /** The last saved cursor; '' when none (the stream then starts with every unfinished task). */
  load(): Promise<string>;
  save(cursor: string): Promise<void>;
}

/** Keeps the cursor in memory only: a restarted adapter starts over (tests, short-lived tools). */
export class MemoryCursorStore implements CursorStore {
  constructor(private cursor = '') {}

  async load(): Promise<string> {
    return this.cursor;
  }

  async save(cursor: string): Promise<void> {
    this.cursor = cursor;
  }
}

/** The default: one small file, replaced atomically (write to a temporary file, then rename) on every save. */
export class FileCursorStore implements CursorStore {
  constructor(readonly path: string) {}

  async load(): Promise<string> {
    try {
      return (await readFile(this.path, 'utf8')).trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  async save(cursor: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${cursor}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
