// Figure 3: request submission over mutual-TLS gRPC, persisted, 64 in flight, on SQLite and PostgreSQL, against a
// bare grpc-js mutual-TLS unary echo measured in the same run. The services run as child processes from dist/ (as
// `evx up` runs them); the load comes from this process over one channel per actor. Beside each database, an
// informational floor: the same load on a NestJS + TypeORM service doing only a submission's essential work
// (submit-floor.server.ts), what the fixed stack reaches on this machine before the rest of EVX.
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import {
  loadPackageDefinition,
  makeGenericClientConstructor,
  type Client,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { signRequestValue, type ActorKey } from '#evx/authorisation';
import type { Benchmark, BenchContext } from '../bench.context.js';
import { measured, unmeasured, type FigureRow } from '../figure.js';
import { benchDatabase, type DatabaseKind } from '../support/bench-database.js';
import { ECHO_SERVICE } from '../support/echo.service.js';
import { UnaryClient, mtlsAs, pemPairOf } from '../support/grpc.util.js';
import { standardOrder } from '../support/order.flow.js';
import { freePort } from '../support/ports.js';
import { startProcess, startServiceStack, type ServiceProcess } from '../support/service-processes.js';
import {
  FLOOR_SIGNATURE_PADDING,
  SUBMIT_FLOOR_SERVICE,
  floorRequestBytes,
  submitFloorDefinition,
} from '../support/submit-floor.service.js';
import { closedLoop, round, type LoadResult } from '../stats.js';

const CONCURRENCY = 64;
const TARGET = 0.5;
const INVESTIGATOR = 'police-hn.inv-1';
/** About the size of a SubmitRequest and of its response (the Authorisation with its bundle). */
const ECHO_REQUEST_BYTES = 512;
const ECHO_RESPONSE_BYTES = 4096;

interface Draft {
  authorisationId: string;
  generation: number;
  bundle: { canonicalRequest: Buffer };
}

function actorKey(context: BenchContext, file: string): ActorKey {
  const pair = pemPairOf(context.pki, file);
  return { certificatePem: pair.certPem, privateKeyPem: pair.keyPem };
}

/** The baseline: a bare grpc-js mTLS unary echo in its own process, same client set-up, same concurrency. */
async function measureEcho(context: BenchContext, total: number): Promise<LoadResult> {
  const port = await freePort();
  const server = await startProcess('echo', 'bench/src/support/echo.server.js', {
    EVX_CERTS_DIR: context.pki,
    BENCH_ECHO_PORT: String(port),
    BENCH_ECHO_RESPONSE_BYTES: String(ECHO_RESPONSE_BYTES),
  });
  const Echo = makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
  const client = new Echo(`localhost:${port}`, mtlsAs(context.pki, INVESTIGATOR)) as unknown as Client & {
    echo(request: Buffer, callback: (error: Error | null, response?: Buffer) => void): void;
  };
  const payload = Buffer.alloc(ECHO_REQUEST_BYTES, 0x62);
  const echo = () =>
    new Promise<Buffer>((resolve, reject) =>
      client.echo(payload, (error, response) => (error ? reject(error) : resolve(response as Buffer))),
    );
  try {
    await closedLoop(CONCURRENCY * 4, CONCURRENCY, echo);
    return await closedLoop(total, CONCURRENCY, echo);
  } finally {
    client.close();
    await server.stop();
  }
}

async function measureSubmit(
  context: BenchContext,
  kind: DatabaseKind,
  total: number,
): Promise<{ submit: LoadResult; create: LoadResult }> {
  const db = benchDatabase(context, kind);
  const stack = await startServiceStack(context, db);
  const client = new UnaryClient('authority', stack.addresses.authorityGrpc, mtlsAs(context.pki, INVESTIGATOR));
  try {
    const key = actorKey(context, INVESTIGATOR);
    const create = (): Promise<Draft> =>
      client
        .call<{ authorisation: Draft }>('createRequest', {
          idempotencyKey: randomUUID(),
          details: standardOrder('REQUEST_TYPE_SUBSCRIBER_DATA'),
        })
        .then((r) => r.authorisation);
    const warm = CONCURRENCY * 2;
    const drafts: Draft[] = [];
    // Drafts to submit: creating them is measured too (it is the other persisted write of a submission).
    const created = await closedLoop(total + warm, CONCURRENCY, async () => drafts.push(await create()));
    // Signing is the investigator's work, on their own machine: done before the clock starts.
    const signed = await Promise.all(
      drafts.map(async (d) => ({
        authorisationId: d.authorisationId,
        expectedGeneration: d.generation,
        requesterSignature: { value: await signRequestValue(d.bundle.canonicalRequest, key) },
      })),
    );
    const submit = (i: number) => client.call('submitRequest', signed[i]);
    await closedLoop(warm, CONCURRENCY, (i) => submit(total + i));
    const submitted = await closedLoop(total, CONCURRENCY, submit);
    return { submit: submitted, create: created };
  } finally {
    client.close();
    await stack.stop();
    await db.drop();
  }
}

/**
 * A floor that stops answering fails its row instead of holding the run: past this, its server is stopped and the
 * calls in flight fail. One watchdog for the whole measurement rather than a deadline per call: the echo's and EVX's
 * calls carry none, and a deadline costs every call a timer and a header.
 */
const FLOOR_WATCHDOG_MS = 120_000;

type FloorClient = Client & {
  submit(request: object, callback: (error: Error | null, response?: { generation: number }) => void): void;
};

/**
 * The floor on `kind`: orders seeded by the floor server, signed here before the clock (as the drafts above), then
 * submitted over the same mutual TLS with the same client set-up, concurrency and warm-up.
 */
async function measureFloor(context: BenchContext, kind: DatabaseKind, total: number): Promise<LoadResult> {
  const db = benchDatabase(context, kind);
  const warm = CONCURRENCY * 2;
  let server: ServiceProcess | undefined;
  let client: FloorClient | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  try {
    const port = await freePort();
    server = await startProcess('submit-floor', 'bench/src/support/submit-floor.server.js', {
      ...db.env,
      EVX_CERTS_DIR: context.pki,
      BENCH_SUBMIT_FLOOR_PORT: String(port),
      BENCH_SUBMIT_FLOOR_ORDERS: String(total + warm),
    });
    const loaded = loadPackageDefinition(submitFloorDefinition()) as unknown as {
      evx: { bench: Record<string, ServiceClientConstructor> };
    };
    const Floor = loaded.evx.bench[SUBMIT_FLOOR_SERVICE] as ServiceClientConstructor;
    const floorClient = new Floor(`localhost:${port}`, mtlsAs(context.pki, INVESTIGATOR)) as unknown as FloorClient;
    client = floorClient;
    const key = createPrivateKey(actorKey(context, INVESTIGATOR).privateKeyPem);
    const requests = Array.from({ length: total + warm }, (_, i) => ({
      authorisationId: String(i),
      expectedGeneration: 1,
      signature: sign('sha256', floorRequestBytes(String(i)), { key, ...FLOOR_SIGNATURE_PADDING }),
    }));
    const submit = (i: number) =>
      new Promise<void>((resolve, reject) =>
        floorClient.submit(requests[i] as object, (error, response) =>
          error
            ? reject(error)
            : response?.generation === 2
              ? resolve()
              : reject(new Error(`order ${i} not submitted`)),
        ),
      );
    const running = server;
    watchdog = setTimeout(() => {
      context.log(`submit ${kind}: the floor did not finish within ${FLOOR_WATCHDOG_MS} ms; stopping it`);
      void running.stop();
    }, FLOOR_WATCHDOG_MS);
    await closedLoop(warm, CONCURRENCY, (i) => submit(total + i));
    return await closedLoop(total, CONCURRENCY, submit);
  } finally {
    clearTimeout(watchdog);
    client?.close();
    await server?.stop();
    await db.drop();
  }
}

const TITLE_FLOOR = (kind: DatabaseKind) =>
  `floor on ${kind}: the same load on a NestJS gRPC + TypeORM service doing only read, RSA-PSS verify, durable update + audit row (no other EVX code)`;

export const requestSubmitBenchmark: Benchmark = {
  name: 'submit',
  description: 'request submission over mTLS gRPC, persisted, concurrency 64, SQLite and PostgreSQL vs bare mTLS echo',
  async run(context) {
    const total = context.options.quick ? 200 : 2_000;
    // The echo runs before and after the submissions, and the faster run is the baseline: one run disturbed by
    // something else on the machine (the write-back of the previous benchmark's files, say) must not make the
    // submissions look faster than they are.
    const before = await measureEcho(context, total);
    context.log(`submit: echo ${round(before.perSecond, 0)}/s, p50 ${round(before.latencyMs.p50, 1)} ms`);
    const measuredKinds: {
      kind: 'sqlite' | 'postgres';
      submit: LoadResult;
      create: LoadResult;
      floor: LoadResult | undefined;
    }[] = [];
    const rows: FigureRow[] = [];
    for (const kind of ['sqlite', 'postgres'] as const) {
      if (kind === 'postgres' && context.pgProblem) {
        rows.push(
          unmeasured(
            'skipped',
            'submit.postgres',
            'request submission on PostgreSQL',
            `ratio >= ${TARGET}`,
            context.pgProblem,
          ),
          unmeasured('skipped', 'submit.floor.postgres', TITLE_FLOOR('postgres'), '—', context.pgProblem),
        );
        continue;
      }
      const { submit, create } = await measureSubmit(context, kind, total);
      context.log(
        `submit ${kind}: ${round(submit.perSecond, 0)}/s, p50 ${round(submit.latencyMs.p50, 1)} ms; create ${round(create.perSecond, 0)}/s`,
      );
      // Informational: a floor that cannot be measured must not cost the figures.
      const floor = await measureFloor(context, kind, total).catch((error: unknown) => {
        context.log(`submit ${kind}: floor not measured: ${(error as Error).message}`);
        return undefined;
      });
      if (floor)
        context.log(`submit ${kind}: floor ${round(floor.perSecond, 0)}/s, p50 ${round(floor.latencyMs.p50, 1)} ms`);
      measuredKinds.push({ kind, submit, create, floor });
    }
    const after = await measureEcho(context, total);
    context.log(`submit: echo again ${round(after.perSecond, 0)}/s, p50 ${round(after.latencyMs.p50, 1)} ms`);
    const echo = after.perSecond > before.perSecond ? after : before;
    rows.unshift(
      measured({
        figure: 'submit.echo',
        title: `baseline: bare grpc-js mTLS unary echo (${ECHO_REQUEST_BYTES} B in, ${ECHO_RESPONSE_BYTES} B out), ${CONCURRENCY} in flight, the faster of a run before and one after the submissions`,
        value: round(echo.perSecond, 0),
        unit: 'calls/s',
        target: '—',
        met: null,
        details: {
          calls: total,
          p50_ms: round(echo.latencyMs.p50, 2),
          p99_ms: round(echo.latencyMs.p99, 2),
          before_per_s: round(before.perSecond, 0),
          after_per_s: round(after.perSecond, 0),
        },
      }),
    );
    const echoBaseline = { name: 'bare mTLS unary echo', value: round(echo.perSecond, 0), unit: 'calls/s' };
    for (const { kind, submit, create, floor } of measuredKinds) {
      rows.push(
        measured({
          figure: `submit.${kind}`,
          title: `SubmitRequest over mTLS gRPC, persisted on ${kind}, ${CONCURRENCY} in flight`,
          value: round(submit.perSecond, 0),
          unit: 'calls/s',
          baseline: echoBaseline,
          target: `ratio >= ${TARGET}`,
          met: submit.perSecond / echo.perSecond >= TARGET,
          details: {
            calls: total,
            p50_ms: round(submit.latencyMs.p50, 2),
            p99_ms: round(submit.latencyMs.p99, 2),
            create_per_s: round(create.perSecond, 0),
            create_p50_ms: round(create.latencyMs.p50, 2),
            create_p99_ms: round(create.latencyMs.p99, 2),
          },
        }),
      );
      rows.push(
        floor === undefined
          ? unmeasured('failed', `submit.floor.${kind}`, TITLE_FLOOR(kind), '—', 'the floor did not run; see the log')
          : measured({
              figure: `submit.floor.${kind}`,
              title: TITLE_FLOOR(kind),
              value: round(floor.perSecond, 0),
              unit: 'calls/s',
              baseline: echoBaseline,
              target: '—',
              met: null,
              details: {
                calls: total,
                p50_ms: round(floor.latencyMs.p50, 2),
                p99_ms: round(floor.latencyMs.p99, 2),
                evx_share_of_floor: round(submit.perSecond / floor.perSecond, 3),
              },
            }),
      );
    }
    return rows;
  },
};
