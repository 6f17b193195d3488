// Figure 4: durable appends to the transparency log per second, and how long an append waits for the signed
// checkpoint that covers it, on PostgreSQL and SQLite. The vault's own pieces in-process: its migrations and
// TypeORM store (apps/vault), TransparencyLog and the group-commit LogAppender (libs/log).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogAppender, TransparencyLog, logSignerFromPem, type LogStore } from '#evx/log';
import { openDataSource } from '#evx/persistence';
import { TypeormLogStore } from '../../../apps/vault/src/persistence/typeorm-log.store.js';
import { VAULT_STORE } from '../../../apps/vault/src/persistence/vault.store.js';
import type { Benchmark, BenchContext } from '../bench.context.js';
import { measured, unmeasured, type FigureRow } from '../figure.js';
import { benchDatabase, type DatabaseKind } from '../support/bench-database.js';
import { closedLoop, round, summarise } from '../stats.js';

const TARGET_PER_SECOND = 10_000;
const TARGET_CHECKPOINT_P99_MS = 1_000;
/** The vault's default (VaultConfig.logBatchSize). */
const MAX_BATCH = 2000;
const ORIGIN = 'evx.bench/log';

/** An audit-event-sized leaf (canonical JSON, ~350 bytes) with its idempotency key, as the audit relay appends. */
function entry(n: number): { kind: string; leaf: Uint8Array; key: string } {
  const id = randomUUID();
  const leaf = JSON.stringify({
    action: 'request.submitted',
    actor: 'evx://authority/police-hn/investigator/inv-1',
    at: new Date().toISOString(),
    eventId: id,
    n,
    objects: [{ objectId: randomUUID(), objectType: 'authorisation' }],
    outcome: 'OUTCOME_SUCCESS',
    service: 'evx://service/authority-api',
    type: 'evx.audit-event.v1',
  });
  return { kind: 'audit-event', leaf: Buffer.from(leaf), key: `audit:${id}` };
}

/** Times every transaction `sequence` runs: one per batch, from taking the head lock to the signed checkpoint. */
function timed(store: LogStore, batches: number[]): LogStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'sequence') return Reflect.get(target, property, receiver);
      return async <T>(work: Parameters<LogStore['sequence']>[0]): Promise<T> => {
        const t0 = performance.now();
        try {
          return (await target.sequence(work)) as T;
        } finally {
          batches.push(performance.now() - t0);
        }
      };
    },
  });
}

async function measureOn(kind: DatabaseKind, context: BenchContext): Promise<FigureRow[]> {
  const db = benchDatabase(context, kind);
  const dataSource = await openDataSource(db.settings, VAULT_STORE);
  try {
    const batches: number[] = [];
    const key = readFileSync(join(context.pki, 'log', 'log.key'), 'utf8');
    const log = new TransparencyLog(timed(new TypeormLogStore(dataSource), batches), {
      origin: ORIGIN,
      signer: logSignerFromPem(ORIGIN, key),
    });
    const appender = new LogAppender(log, MAX_BATCH);
    const quick = context.options.quick;
    const total = quick ? 5_000 : 60_000;
    const warmUp = quick ? 500 : 3_000;
    const producers = 1_000;
    // The entries are made before the clock starts (as the other figures prepare their inputs): in production they
    // arrive over gRPC from the services that produce them, so making them here is not the log's cost.
    const warmEntries = Array.from({ length: warmUp }, (_, n) => entry(n));
    const runEntries = Array.from({ length: total }, (_, n) => entry(warmUp + n));
    await closedLoop(warmUp, producers, (n) => appender.append([warmEntries[n] as ReturnType<typeof entry>]));
    batches.length = 0;
    const run = await closedLoop(total, producers, (n) => appender.append([runEntries[n] as ReturnType<typeof entry>]));
    const size = (await log.latestCheckpoint())?.size ?? 0;
    const batch = summarise(batches);
    context.log(
      `log ${kind}: ${round(run.perSecond, 0)} appends/s, ${batches.length} checkpoints, append p99 ${round(run.latencyMs.p99, 0)} ms`,
    );
    const details = {
      appends: total,
      concurrent_appenders: producers,
      tree_size: size,
      checkpoints: batches.length,
      mean_batch: round(total / batches.length, 1),
    };
    return [
      measured({
        figure: `log.${kind}`,
        title: `durable log appends/s on ${kind} (${producers} concurrent appenders, group commit)`,
        value: round(run.perSecond, 0),
        unit: 'appends/s',
        target: `>= ${TARGET_PER_SECOND.toLocaleString('en')}/s`,
        met: run.perSecond >= TARGET_PER_SECOND,
        details,
      }),
      measured({
        figure: `log.${kind}.checkpoint`,
        title: `append until a signed checkpoint covers it, on ${kind} (batch transaction p50/p99 in details)`,
        value: round(run.latencyMs.p99, 1),
        unit: 'ms p99',
        target: `p99 <= ${TARGET_CHECKPOINT_P99_MS} ms`,
        met: run.latencyMs.p99 <= TARGET_CHECKPOINT_P99_MS,
        details: {
          p50_ms: round(run.latencyMs.p50, 1),
          p99_ms: round(run.latencyMs.p99, 1),
          batch_p50_ms: round(batch.p50, 1),
          batch_p99_ms: round(batch.p99, 1),
        },
      }),
    ];
  } finally {
    await dataSource.destroy();
    await db.drop();
  }
}

export const logAppendBenchmark: Benchmark = {
  name: 'log',
  description: 'durable transparency-log appends/s and checkpoint latency on PostgreSQL and SQLite (vault store)',
  async run(context) {
    const rows: FigureRow[] = [];
    if (context.pgProblem) {
      for (const figure of ['log.postgres', 'log.postgres.checkpoint']) {
        rows.push(unmeasured('skipped', figure, 'durable log on PostgreSQL', '—', context.pgProblem));
      }
    } else {
      rows.push(...(await measureOn('postgres', context)));
    }
    rows.push(...(await measureOn('sqlite', context)));
    return rows;
  },
};
