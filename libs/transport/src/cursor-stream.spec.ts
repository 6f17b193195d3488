import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { cursorStream } from './cursor-stream.js';
import { StreamWakeup } from './stream-wakeup.js';

type Event = { kind: 'row'; position: number } | { kind: 'heartbeat' };

function table() {
  const rows: number[] = [];
  let reads = 0;
  return {
    rows,
    get reads() {
      return reads;
    },
    fetch: async (after: number, limit: number) => {
      reads++;
      return rows.filter((p) => p > after).slice(0, limit);
    },
  };
}

function stream(t: ReturnType<typeof table>, wakeup?: StreamWakeup, start = 0) {
  return cursorStream<number, Event>({
    start,
    fetch: t.fetch,
    position: (row) => row,
    toEvent: (row) => ({ kind: 'row', position: row }),
    heartbeat: () => ({ kind: 'heartbeat' }),
    // Far longer than the test's timeout: only a wake-up can deliver a new row in time.
    pollMs: 600_000,
    heartbeatMs: 600_000,
    ...(wakeup ? { wakeup } : {}),
  });
}

describe('cursorStream', () => {
  it('sends what follows the cursor, then one heartbeat when caught up', async () => {
    const t = table();
    t.rows.push(1, 2, 3);
    const events = await firstValueFrom(stream(t, undefined, 1).pipe(take(3), toArray()));
    expect(events).toEqual([{ kind: 'row', position: 2 }, { kind: 'row', position: 3 }, { kind: 'heartbeat' }]);
  });

  it('delivers a new row at once when notified, long before the next poll', async () => {
    const t = table();
    const wakeup = new StreamWakeup();
    const s = stream(t, wakeup);
    const caughtUp = new Promise<void>((resolve) => {
      const sub = s.subscribe((e) => {
        if (e.kind === 'heartbeat') resolve();
        if (e.kind === 'row') {
          received(e.position);
          sub.unsubscribe();
        }
      });
    });
    let received!: (p: number) => void;
    const row = new Promise<number>((resolve) => (received = resolve));
    await caughtUp;
    t.rows.push(7);
    wakeup.notify();
    expect(await row).toBe(7);
    expect(wakeup.subscribers).toBe(0);
  }, 5_000);

  it('reads again when notified during a read, so a row committed meanwhile is not left for the next poll', async () => {
    const t = table();
    const wakeup = new StreamWakeup();
    let notifyDuringRead = true;
    const fetch = t.fetch;
    const slow = {
      ...t,
      fetch: async (after: number, limit: number) => {
        const result = await fetch(after, limit);
        if (notifyDuringRead && t.reads === 1) {
          notifyDuringRead = false;
          t.rows.push(1);
          wakeup.notify();
        }
        return result;
      },
    };
    const first = await firstValueFrom(
      stream(slow as ReturnType<typeof table>, wakeup).pipe(
        filter((e) => e.kind === 'row'),
        take(1),
      ),
    );
    expect(first).toEqual({ kind: 'row', position: 1 });
  }, 5_000);
});
