import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { serialiseSqlite } from './sqlite.serialiser.js';

@Entity('note')
class Note {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  id: string;

  @Column({ type: 'text' })
  body: string;
}

async function open(serialised: boolean): Promise<DataSource> {
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: join(mkdtempSync(join(tmpdir(), 'evx-sqlite-')), 'db.sqlite'),
    entities: [Note],
    synchronize: true,
  });
  await ds.initialize();
  if (serialised) serialiseSqlite(ds);
  return ds;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Transaction A stays open across awaits and then fails; B runs meanwhile, outside A. */
async function interleave(ds: DataSource): Promise<string[]> {
  const a = ds.transaction(async (m) => {
    await m.insert(Note, { id: 'a', body: 'from A' });
    await tick();
    await tick();
    throw new Error('A fails');
  });
  await tick();
  const b = ds.transaction(async (m) => m.insert(Note, { id: 'b', body: 'from B' }));
  const plain = ds.getRepository(Note).insert({ id: 'c', body: 'autocommit' });
  await Promise.allSettled([a, b, plain]);
  return (await ds.getRepository(Note).find({ order: { id: 'ASC' } })).map((n) => n.id);
}

describe('serialiseSqlite', () => {
  it('without it, work done beside a failing transaction is lost or refused (the problem it solves)', async () => {
    const ds = await open(false);
    try {
      expect(await interleave(ds)).not.toEqual(['b', 'c']);
    } finally {
      await ds.destroy();
    }
  });

  it('with it, a failing transaction undoes only its own work', async () => {
    const ds = await open(true);
    try {
      expect(await interleave(ds)).toEqual(['b', 'c']);
    } finally {
      await ds.destroy();
    }
  });

  it('lets the lock holder query and nest freely (no deadlock)', async () => {
    const ds = await open(true);
    try {
      await ds.transaction(async (m) => {
        await m.insert(Note, { id: 'x', body: '1' });
        expect(await ds.getRepository(Note).count()).toBe(1);
        await ds.getRepository(Note).save({ id: 'y', body: '2' });
      });
      expect(await ds.getRepository(Note).count()).toBe(2);
    } finally {
      await ds.destroy();
    }
  });
});
