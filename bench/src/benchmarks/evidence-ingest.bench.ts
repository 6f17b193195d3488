// Figures 1 and 2: evidence ingest over mutual-TLS gRPC client streaming (ProviderExchangeService.UploadEvidence,
// through provider-edge into the vault) until CompleteTask returns the sealed package, against SHA-256 of the same
// bytes in-process; and the services' peak RSS growth meanwhile. The adapter is libs/adapter-sdk in this process;
// the services are child processes from dist/. A small order first warms the stack up.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@grpc/grpc-js';
import type { Benchmark, BenchContext } from '../bench.context.js';
import { measured, unmeasured, type FigureRow } from '../figure.js';
import { benchDatabase } from '../support/bench-database.js';
import { AuthorityActors, standardOrder } from '../support/order.flow.js';
import { importPiece, isMissingPiece } from '../support/pending-pieces.js';
import { OutcomeBoard } from '../support/outcome.board.js';
import { RssSampler, type RssGrowth } from '../support/rss.sampler.js';
import { mtlsAs } from '../support/grpc.util.js';
import { freePort } from '../support/ports.js';
import { startProcess, startServiceStack } from '../support/service-processes.js';
import { FLOOR_CHANNEL_OPTIONS, FLOOR_METHOD } from '../support/stream-floor.server.js';
import { mibPerSecond, sha256StreamThroughput } from '../support/sha256.baseline.js';
import { round } from '../stats.js';

const RECORD_BYTES = 4 * 2 ** 20;
const WARM_UP_BYTES = 8 * 2 ** 20;
const TARGET_RATIO = 0.25;
const TARGET_RSS_MIB = 64;
const MIB = 2 ** 20;

/** `bytes` of evidence as records of 4 MiB, each different (a content-addressed store must not deduplicate them). */
function* evidence(bytes: number, block: Buffer): Generator<{ index: number; payload: Buffer }> {
  for (let index = 0, offset = 0; offset < bytes; index++, offset += RECORD_BYTES) {
    const payload = Buffer.allocUnsafe(Math.min(RECORD_BYTES, bytes - offset));
    block.copy(payload, 0, 0, payload.length);
    payload.writeUInt32BE(index, 0);
    yield { index, payload };
  }
}

interface IngestRun {
  ms: number;
  /** Of `ms`, from the adapter taking the last record to CompleteTask's answer: the upload's end and the sealing. */
  completeMs: number;
  records: number;
  rss: RssGrowth;
}

async function ingest(context: BenchContext): Promise<{ warm: IngestRun; run: IngestRun; baseline: number }> {
  const sdk = await importPiece('#evx/adapter-sdk', () => import('#evx/adapter-sdk'), [
    'connectAdapter',
    'devAdapterTlsFiles',
    'devAuthorityTrust',
    'MemoryCursorStore',
  ]);
  const bytes = context.options.sizeBytes;
  const block = randomBytes(RECORD_BYTES);
  const db = benchDatabase(context, 'sqlite');
  const stack = await startServiceStack(context, db);
  const actors = new AuthorityActors(context, stack.addresses.authorityGrpc);
  // By authorisation id: the task id is only known once the order is dispatched.
  const sizes = new Map<string, number>();
  const started = new Map<string, number>();
  const lastRecord = new Map<string, number>();
  const outcomes = new OutcomeBoard();
  const recordTime = new Date(Date.now() - 3_600_000);
  const sampler = { current: undefined as RssSampler | undefined };
  let adapter: { close(): Promise<void> } | undefined;
  try {
    adapter = await sdk.connectAdapter(
      {
        address: stack.addresses.providerEdge,
        tls: sdk.devAdapterTlsFiles(context.pki, 'telco-a.main'),
        authorityTrust: sdk.devAuthorityTrust(context.pki),
        cursorStore: new sdk.MemoryCursorStore(),
        stateDir: join(context.tmp, 'adapter-state'),
        logger: {
          log: () => undefined,
          warn: (m) => context.log(`adapter: ${m}`),
          error: (m) => context.log(`adapter: ${m}`),
        },
        onOutcome: outcomes.record,
      },
      {
        // Called again from the start if an upload resumes; the clock starts at the first call.
        onDisclosure: async function* (task) {
          if (!started.has(task.authorisationId)) {
            sampler.current?.start();
            started.set(task.authorisationId, performance.now());
          }
          for (const { payload } of evidence(sizes.get(task.authorisationId) ?? 0, block)) {
            yield {
              requestType: 'TRAFFIC_DATA',
              selectorId: 's1',
              recordTime,
              contentType: 'application/octet-stream',
              payload,
            };
          }
          lastRecord.set(task.authorisationId, performance.now());
        },
      },
    );
    const one = async (size: number, rss: RssSampler | undefined): Promise<IngestRun> => {
      sampler.current = rss;
      const order = await actors.create(standardOrder());
      sizes.set(order.authorisationId, size);
      const submitted = await actors.submit(order);
      const approved = await actors.decide(submitted, 'police-hn.sup-1', 'SUPERVISOR', 'STANDARD');
      const dispatched = await actors.decide(approved, 'police-hn.judge-1', 'JUDGE', 'STANDARD');
      const taskId = dispatched.taskId || (await actors.get(order.authorisationId)).taskId;
      const stopSampling = (): RssGrowth => rss?.stop() ?? { growth: {}, before: {}, peak: {} };
      const end = await outcomes.fulfilled(taskId, 30_000 + (size / MIB) * 1_000).catch((error: unknown) => {
        stopSampling();
        throw error;
      });
      const growth = stopSampling();
      return {
        ms: end.at - (started.get(order.authorisationId) as number),
        completeMs: end.at - (lastRecord.get(order.authorisationId) ?? end.at),
        records: end.recordCount ?? 0,
        rss: growth,
      };
    };
    const warm = await one(WARM_UP_BYTES, undefined);
    context.log(`ingest: warm-up ${WARM_UP_BYTES / MIB} MiB in ${round(warm.ms, 0)} ms`);
    const run = await one(bytes, new RssSampler(stack.processes));
    const baseline = await sha256StreamThroughput(bytes, async function* () {
      for (const { payload } of evidence(bytes, block)) yield payload;
    });
    return { warm, run, baseline };
  } catch (error) {
    context.log(`services' output:\n${stack.output()}`);
    throw error;
  } finally {
    await adapter?.close();
    actors.close();
    await stack.stop();
    await db.drop();
  }
}

/** EVX's chunk size: a record travels as messages of at most 1 MiB (WIRE_LIMITS.maxChunkBytes). */
const CHUNK_BYTES = 2 ** 20;
const UNSENT_BYTES = 2 * 2 ** 20;

/**
 * The same bytes through bare grpc-js client streams with the same mutual TLS, this process → relay → sink, as
 * adapter → provider-edge → vault: this process hashes each record (as the SDK does) and sends it in 1 MiB messages;
 * the relay forwards them; the sink hashes, writes and at the end fsyncs them (stream-floor.server.ts). Nothing of
 * EVX is on the path: an approximate floor for EVX's ingest over these hops on this machine (the sink writes on its
 * event loop where the vault writes on libuv's threads, and nothing builds a package). MiB/s of `bytes`, after a
 * warm-up.
 */
async function floor(context: BenchContext, bytes: number, block: Buffer): Promise<number> {
  const identity = (b: Buffer) => b;
  const dir = join(context.tmp, 'floor');
  mkdirSync(dir, { recursive: true });
  const server = 'bench/src/support/stream-floor.server.js';
  const sinkPort = await freePort();
  const relayPort = await freePort();
  const common = { EVX_CERTS_DIR: context.pki, BENCH_FLOOR_DIR: dir };
  const sink = await startProcess('floor-sink', server, {
    ...common,
    BENCH_FLOOR_ROLE: 'sink',
    BENCH_FLOOR_PORT: String(sinkPort),
  });
  const relay = await startProcess('floor-relay', server, {
    ...common,
    BENCH_FLOOR_ROLE: 'relay',
    BENCH_FLOOR_PORT: String(relayPort),
    BENCH_FLOOR_NEXT: String(sinkPort),
  }).catch(async (error: unknown) => {
    await sink.stop();
    throw error;
  });
  let client: Client | undefined;
  const send = async (client: Client, size: number): Promise<number> => {
    const started = performance.now();
    let settle!: { done: (r?: Buffer) => void; fail: (e: Error) => void };
    const answer = new Promise<Buffer | undefined>((done, fail) => (settle = { done, fail }));
    const call = client.makeClientStreamRequest<Buffer, Buffer>(FLOOR_METHOD, identity, identity, (e, r) =>
      e ? settle.fail(e) : settle.done(r),
    );
    const failed = answer.then(() => Promise.reject(new Error('the floor stream ended early')));
    failed.catch(() => undefined);
    // As the SDK's uploader: at most 2 MiB written and not yet sent.
    let unsent = 0;
    let wake: (() => void) | undefined;
    for (const { payload } of evidence(size, block)) {
      createHash('sha256').update(payload).digest();
      for (let offset = 0; offset < payload.length; offset += CHUNK_BYTES) {
        const message = payload.subarray(offset, offset + CHUNK_BYTES);
        unsent += message.length;
        const room = call.write(message, () => {
          unsent -= message.length;
          wake?.();
        });
        if (!room) await Promise.race([once(call, 'drain'), failed]);
        while (unsent > UNSENT_BYTES) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), failed]);
      }
    }
    call.end();
    const received = String(await answer);
    if (received !== String(size)) throw new Error(`the floor's sink received ${received} bytes of ${size}`);
    return mibPerSecond(size, performance.now() - started);
  };
  try {
    client = new Client(`localhost:${relayPort}`, mtlsAs(context.pki, 'telco-a.main'), FLOOR_CHANNEL_OPTIONS);
    await send(client, WARM_UP_BYTES);
    return await send(client, bytes);
  } finally {
    client?.close();
    await relay.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const TITLE_INGEST =
  'evidence ingest: UploadEvidence (mTLS gRPC client streaming) until CompleteTask returns the sealed package';
const TITLE_FLOOR =
  'approximate floor of ingest on this machine: the same bytes over bare grpc-js mTLS streams, client -> relay -> sink (hash, write, fsync), no EVX code';
const TITLE_RSS = 'peak RSS growth of each service during that ingest (largest shown; each in details)';

export const evidenceIngestBenchmark: Benchmark = {
  name: 'ingest',
  description: "evidence ingest over mTLS gRPC streaming into a sealed package vs SHA-256; services' peak RSS growth",
  async run(context) {
    const bytes = context.options.sizeBytes;
    try {
      const { run, baseline } = await ingest(context);
      const value = mibPerSecond(bytes, run.ms);
      // Informational: a floor that cannot be measured must not cost the figures above.
      const bare = await floor(context, bytes, randomBytes(RECORD_BYTES)).catch((error: unknown) => {
        context.log(`ingest: floor not measured: ${(error as Error).message}`);
        return undefined;
      });
      const growth = run.rss.growth;
      const largest = Math.max(...Object.values(growth));
      context.log(
        `ingest: ${round(value, 1)} MiB/s (sha256 ${round(baseline, 0)} MiB/s), RSS growth ${JSON.stringify(growth)}`,
      );
      if (bare !== undefined) context.log(`ingest: floor (bare grpc-js streams, same hops) ${round(bare, 1)} MiB/s`);
      const rows: FigureRow[] = [
        measured({
          figure: 'ingest',
          title: `${TITLE_INGEST}, ${round(bytes / MIB, 0)} MiB`,
          value: round(value, 1),
          unit: 'MiB/s',
          baseline: { name: 'SHA-256 of the same bytes in-process', value: round(baseline, 1), unit: 'MiB/s' },
          target: `ratio >= ${TARGET_RATIO}`,
          met: value / baseline >= TARGET_RATIO,
          details: {
            bytes,
            records: run.records,
            ingest_ms: round(run.ms, 0),
            after_last_record_ms: round(run.completeMs, 0),
          },
        }),
        bare === undefined
          ? unmeasured('failed', 'ingest.floor', TITLE_FLOOR, '—', 'the floor did not run; see the log')
          : measured({
              figure: 'ingest.floor',
              title: `${TITLE_FLOOR}, ${round(bytes / MIB, 0)} MiB`,
              value: round(bare, 1),
              unit: 'MiB/s',
              baseline: { name: 'SHA-256 of the same bytes in-process', value: round(baseline, 1), unit: 'MiB/s' },
              target: '—',
              met: null,
              details: { ingest_share_of_floor: round(value / bare, 3) },
            }),
        measured({
          figure: 'ingest.rss',
          title: TITLE_RSS,
          value: round(largest / MIB, 1),
          unit: 'MiB',
          target: `< ${TARGET_RSS_MIB} MiB`,
          met: largest / MIB < TARGET_RSS_MIB,
          details: Object.fromEntries(
            Object.entries(growth).flatMap(([name, g]) => [
              [`${name}_growth_mib`, round(g / MIB, 1)],
              [`${name}_before_mib`, round((run.rss.before[name] ?? 0) / MIB, 1)],
            ]),
          ),
        }),
      ];
      return rows;
    } catch (error) {
      if (!isMissingPiece(error)) throw error;
      const why = `not measured yet: ${(error as Error).message.split('\n')[0]}`;
      return [
        unmeasured('not measured yet', 'ingest', TITLE_INGEST, `ratio >= ${TARGET_RATIO}`, why),
        unmeasured('not measured yet', 'ingest.rss', TITLE_RSS, `< ${TARGET_RSS_MIB} MiB`, why),
      ];
    }
  },
};
