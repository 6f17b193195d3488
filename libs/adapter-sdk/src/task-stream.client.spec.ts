// The task stream's ordering and confirmation rules against a real grpc-js server (plaintext, in this process):
// tasks of different ids overlap up to `concurrency`, events of one task never do, and a cursor is saved only once
// every event before it has been handled.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  credentials,
  status,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServerWritableStream,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_FILES, PROTO_LOADER_OPTIONS, type StreamTasksResponse } from '#evx/proto';
import { MemoryCursorStore } from './cursor.store.js';
import { TaskStream, type TaskStreamHandlers } from './task-stream.client.js';

type Call = ServerWritableStream<{ cursor: string }, StreamTasksResponse>;

/** A provider-edge stand-in: every StreamTasks call gets `events` (after its cursor), then stays open. */
async function serve(events: StreamTasksResponse[]) {
  const definition = loadSync(PROTO_FILES.providerExchange, PROTO_LOADER_OPTIONS);
  const pkg = loadPackageDefinition(definition) as unknown as {
    evx: { v1: { ProviderExchangeService: { service: ServiceDefinition } } };
  };
  const server = new Server();
  const requests: string[] = [];
  const calls: Call[] = [];
  server.addService(pkg.evx.v1.ProviderExchangeService.service, {
    streamTasks: (call: Call) => {
      calls.push(call);
      requests.push(call.request.cursor);
      const cursor = call.request.cursor;
      const from = cursor === '' ? 0 : events.findIndex((e) => e.cursor === cursor) + 1;
      for (const event of events.slice(from)) call.write(event);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    requests,
    calls,
    close: () => {
      for (const call of calls) call.end();
      server.forceShutdown();
    },
  };
}

const taskEvent = (cursor: string, taskId: string, generation = 1) =>
  ({ cursor, task: { taskId, generation } }) as unknown as StreamTasksResponse;
const heartbeat = () => ({ cursor: '', heartbeat: {} }) as unknown as StreamTasksResponse;

/** A handler per event that waits until the test releases it; records the order things happened in. */
function gatedHandlers() {
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  const started = new Map<string, Promise<void>>();
  const startedSignals = new Map<string, () => void>();
  const startedOf = (cursor: string) => {
    let p = started.get(cursor);
    if (!p) {
      p = new Promise<void>((resolve) => startedSignals.set(cursor, resolve));
      started.set(cursor, p);
    }
    return p;
  };
  return {
    log,
    started: startedOf,
    release: (cursor: string) => gates.get(cursor)?.(),
    onEvent: async (event: StreamTasksResponse) => {
      if (!event.task) return;
      log.push(`start ${event.cursor}`);
      startedOf(event.cursor);
      startedSignals.get(event.cursor)?.();
      await new Promise<void>((resolve) => gates.set(event.cursor, resolve));
      log.push(`end ${event.cursor}`);
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('TaskStream', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  async function open(events: StreamTasksResponse[], concurrency?: number) {
    const server = await serve(events);
    const store = new MemoryCursorStore('');
    const saved: string[] = [];
    const save = store.save.bind(store);
    store.save = async (cursor) => {
      saved.push(cursor);
      await save(cursor);
    };
    const handlers = gatedHandlers();
    let caughtUp = false;
    const stream = new TaskStream(
      {
        address: server.address,
        credentials: credentials.createInsecure(),
        cursorStore: store,
        ...(concurrency !== undefined ? { concurrency } : {}),
      },
      { onEvent: handlers.onEvent, onCaughtUp: () => (caughtUp = true) },
    ).start();
    cleanups.push(
      () => stream.close(),
      () => server.close(),
    );
    return { stream, handlers, saved, caughtUp: () => caughtUp };
  }

  /** A started stream on `server`, two events in hand at once, quick reconnections; closed after the test. */
  function started(server: Awaited<ReturnType<typeof serve>>, handlers: TaskStreamHandlers): TaskStream {
    const stream = new TaskStream(
      { address: server.address, credentials: credentials.createInsecure(), concurrency: 2, minBackoffMs: 10 },
      handlers,
    ).start();
    cleanups.push(
      () => stream.close(),
      () => server.close(),
    );
    return stream;
  }

  /** An onEvent that records every cursor and fails the first time it sees `cursor`. */
  function failingOnceAt(cursor: string) {
    const seen: string[] = [];
    let failed = false;
    return {
      seen,
      onEvent: async (event: StreamTasksResponse) => {
        seen.push(event.cursor);
        if (event.cursor === cursor && !failed) {
          failed = true;
          throw new Error('transient');
        }
      },
    };
  }

  it('handles other tasks while one is busy, but confirms cursors only in order', async () => {
    const { stream, handlers, saved, caughtUp } = await open(
      [taskEvent('c1', 'task-a'), taskEvent('c2', 'task-b'), heartbeat()],
      4,
    );
    await handlers.started('c1');
    await handlers.started('c2');
    handlers.release('c2');
    await tick();
    // task-b is done, but task-a before it is not: nothing is confirmed, the stream has not caught up.
    expect(handlers.log).toEqual(['start c1', 'start c2', 'end c2']);
    expect(saved).toEqual([]);
    expect(caughtUp()).toBe(false);
    handlers.release('c1');
    await stream.idle();
    await tick();
    expect(saved).toEqual(['c2']);
    expect(stream.cursor).toBe('c2');
    expect(caughtUp()).toBe(true);
  });

  it('never overlaps two events of the same task, whatever the concurrency', async () => {
    const { stream, handlers, saved } = await open(
      [taskEvent('c1', 'task-a', 1), taskEvent('c2', 'task-a', 2), taskEvent('c3', 'task-b')],
      4,
    );
    await handlers.started('c1');
    await handlers.started('c3');
    await tick();
    expect(handlers.log).toEqual(['start c1', 'start c3']);
    handlers.release('c1');
    await handlers.started('c2');
    expect(saved).toEqual(['c1']);
    handlers.release('c2');
    handlers.release('c3');
    await stream.idle();
    expect(handlers.log).toEqual(['start c1', 'start c3', 'end c1', 'start c2', 'end c2', 'end c3']);
    expect(saved.at(-1)).toBe('c3');
  });

  it('handles one event at a time by default', async () => {
    const { stream, handlers, saved } = await open([taskEvent('c1', 'task-a'), taskEvent('c2', 'task-b')]);
    await handlers.started('c1');
    await tick();
    expect(handlers.log).toEqual(['start c1']);
    handlers.release('c1');
    await handlers.started('c2');
    handlers.release('c2');
    await stream.idle();
    expect(handlers.log).toEqual(['start c1', 'end c1', 'start c2', 'end c2']);
    expect(saved).toEqual(['c1', 'c2']);
  });

  it('after a failed handler, reconnects from the last confirmed cursor and handles the rest again', async () => {
    const server = await serve([taskEvent('c1', 'task-a'), taskEvent('c2', 'task-b'), taskEvent('c3', 'task-c')]);
    const { seen, onEvent } = failingOnceAt('c2');
    const stream = started(server, { onEvent });
    for (let i = 0; i < 100 && stream.cursor !== 'c3'; i++) await tick();
    expect(stream.cursor).toBe('c3');
    // The second connection resumed after c1, the last event confirmed before the failure.
    expect(server.requests).toEqual(['', 'c1']);
    expect(seen.filter((c) => c === 'c2')).toHaveLength(2);
  });

  it('survives callbacks that throw: the failed event is handled again and nothing else is skipped', async () => {
    const server = await serve([taskEvent('c1', 'task-a'), taskEvent('c2', 'task-a', 2), taskEvent('c3', 'task-b')]);
    const { seen, onEvent } = failingOnceAt('c1');
    const stream = started(server, {
      onEvent,
      onHandlerError: () => {
        throw new Error('a listener that fails itself');
      },
      onCaughtUp: () => {
        throw new Error('another one');
      },
    });
    for (let i = 0; i < 100 && stream.cursor !== 'c3'; i++) await tick();
    expect(stream.cursor).toBe('c3');
    expect(seen.filter((c) => c === 'c1')).toHaveLength(2);
    expect(seen).toContain('c2');
  });

  it('reconnects once when the connection drops while a handler is busy and that handler then fails', async () => {
    const server = await serve([taskEvent('c1', 'task-a')]);
    let release!: (error?: Error) => void;
    let calls = 0;
    const stream = started(server, {
      onEvent: async () => {
        if (++calls > 1) return;
        await new Promise<void>((resolve, reject) => (release = (e) => (e ? reject(e) : resolve())));
      },
    });
    for (let i = 0; i < 100 && calls === 0; i++) await tick();
    // The server drops the stream while the handler still works; then the handler fails.
    server.calls[0]?.emit('error', { code: status.UNAVAILABLE, details: 'going away' });
    await tick();
    release(new Error('the upload failed'));
    for (let i = 0; i < 100 && stream.cursor !== 'c1'; i++) await tick();
    await tick();
    expect(stream.cursor).toBe('c1');
    expect(server.requests).toEqual(['', '']);
  });
});
