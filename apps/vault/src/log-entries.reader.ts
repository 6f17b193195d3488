import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, type Repository } from 'typeorm';
import { EvxError } from '#evx/errors';
import { LogEntryEntity, LogHeadEntity } from './persistence/log.entities.js';

export const MAX_ENTRIES_PER_READ = 1000;

/** Reads ranges of the log, bounded by the integrated size. */
@Injectable()
export class LogEntriesReader {
  constructor(
    @InjectRepository(LogEntryEntity) private readonly entries: Repository<LogEntryEntity>,
    @InjectRepository(LogHeadEntity) private readonly head: Repository<LogHeadEntity>,
  ) {}

  async size(): Promise<number> {
    return (await this.head.findOneBy({ id: 1 }))?.size ?? 0;
  }

  async range(start: number, end: number): Promise<LogEntryEntity[]> {
    const size = await this.size();
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
      throw new EvxError('invalid-argument', `need 0 <= start_index <= end_index, got ${start}..${end}`);
    }
    if (end > size) throw new EvxError('out-of-range', `end_index ${end} is beyond the log size ${size}`);
    if (end - start > MAX_ENTRIES_PER_READ) {
      throw new EvxError(
        'invalid-argument',
        `at most ${MAX_ENTRIES_PER_READ} entries per read; ask for a smaller range`,
      );
    }
    if (end === start) return [];
    return this.entries.find({ where: { seq: Between(start, end - 1) }, order: { seq: 'ASC' } });
  }
}
