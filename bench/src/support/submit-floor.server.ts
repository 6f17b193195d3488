// The floor of the request-submission figure on the stack the product's owner fixed: a NestJS gRPC microservice over
// the same mutual TLS as the echo (vault's certificate, client certificates required) with TypeORM, doing only a
// submission's essential work and nothing else of EVX. Per call it reads the order (one SELECT), checks its
// generation, verifies the investigator's RSA-PSS signature over the order's request bytes, and writes durably the new
// document (4,837 characters, the average of EVX's in the benchmark after a submission) with one audit row, refusing
// the call if the compare-and-set wrote nothing; then it answers 4 KB (as the echo).
// Writes as EVX's do: on SQLite (WAL, synchronous = FULL) the calls of one event-loop turn share one transaction, each
// in its own savepoint (as libs/persistence's serialiser groups commits); on PostgreSQL the compare-and-set UPDATE and
// the audit INSERT are one statement with data-modifying CTEs, on a pool of 20 (as authority-api).
// Left out, as a floor should: the identity guard, the exception filter, canonical JSON, the certificate chain and the
// signer at the signing time, the state machine, the change-feed row, and the audit relay (EVX's outbox is read,
// delivered to the vault, which appends it durably to its log, and marked delivered, on the same machine).
// Environment: EVX_CERTS_DIR, BENCH_SUBMIT_FLOOR_PORT, BENCH_SUBMIT_FLOOR_ORDERS (how many orders to seed, ids
// 0..n-1), and the database of bench-database.ts (EVX_DATA_DIR; DATABASE_URL and DATABASE_SCHEMA for PostgreSQL).
import 'reflect-metadata';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, Transport } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import {
  FLOOR_SIGNATURE_PADDING,
  SUBMIT_FLOOR_PACKAGE,
  SUBMIT_FLOOR_SERVICE,
  floorRequestBytes,
  submitFloorDefinition,
} from './submit-floor.service.js';

const ORDERS = 'floor_order';
const AUDIT = 'floor_audit';
const RESPONSE = Buffer.alloc(4096, 0x61);
/** What EVX adds to the stored document at submission: the requester's signature envelope with its chain. */
const SIGNATURE_ENVELOPE = Buffer.alloc(2176, 0x73).toString('base64');

interface SubmitCall {
  authorisationId: string;
  expectedGeneration: number;
  signature: Buffer;
}
type Query = (sql: string, parameters: unknown[]) => Promise<unknown>;
/** Runs a write and answers how many rows it wrote (PostgreSQL: the statement's `written` column). */
type Write = (sql: string, parameters: unknown[]) => Promise<number>;

const postgres = Boolean(process.env.DATABASE_URL);
const schema = process.env.DATABASE_SCHEMA;
let dataSource: DataSource;
let investigatorKey: KeyObject;

async function openDatabase(): Promise<DataSource> {
  if (postgres) {
    // The schema first, then the pool whose connections search it (as libs/persistence openDataSource).
    if (schema) {
      const bootstrap = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
      await bootstrap.initialize();
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`).finally(() => bootstrap.destroy());
    }
    const ds = new DataSource({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      extra: { max: 20, ...(schema ? { options: `-c search_path=${schema}` } : {}) },
    });
    await ds.initialize();
    return ds;
  }
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: join(process.env.EVX_DATA_DIR as string, 'submit-floor.sqlite'),
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    },
  });
  await ds.initialize();
  return ds;
}

async function seed(ds: DataSource, orders: number): Promise<void> {
  const serial = postgres ? 'serial PRIMARY KEY' : 'integer PRIMARY KEY AUTOINCREMENT';
  await ds.query(
    `CREATE TABLE ${ORDERS} (id varchar(36) PRIMARY KEY, generation integer NOT NULL, status varchar(32) NOT NULL, ` +
      `agency varchar(63) NOT NULL, document text NOT NULL)`,
  );
  await ds.query(`CREATE INDEX floor_order_agency ON ${ORDERS} (agency, status)`);
  await ds.query(`CREATE TABLE ${AUDIT} (seq ${serial}, order_id varchar(36) NOT NULL, event text NOT NULL)`);
  const p = (i: number) => (postgres ? `$${i}` : '?');
  for (let first = 0; first < orders; first += 200) {
    const values: string[] = [];
    const parameters: string[] = [];
    for (let id = first; id < Math.min(orders, first + 200); id++) {
      values.push(`(${p(parameters.length + 1)}, 1, 'DRAFT', 'police-hn', ${p(parameters.length + 2)})`);
      const request = floorRequestBytes(String(id)).toString('base64');
      parameters.push(String(id), JSON.stringify({ authorisationId: String(id), status: 'DRAFT', request }));
    }
    await ds.query(
      `INSERT INTO ${ORDERS} (id, generation, status, agency, document) VALUES ${values.join(', ')}`,
      parameters,
    );
  }
}

/** A submission's essential work; `write` runs the statements of the write (inside the group's transaction on SQLite). */
async function submit(call: SubmitCall, read: Query, write: Write): Promise<object> {
  const rows = (await read(`SELECT document, generation FROM ${ORDERS} WHERE id = ${postgres ? '$1' : '?'}`, [
    call.authorisationId,
  ])) as { document: string; generation: number }[];
  const row = rows[0];
  if (!row) throw new Error(`no order ${call.authorisationId}`);
  if (row.generation !== call.expectedGeneration) throw new Error(`order ${call.authorisationId}: stale generation`);
  const document = JSON.parse(row.document) as Record<string, unknown>;
  const signed = verify(
    'sha256',
    Buffer.from(document.request as string, 'base64'),
    { key: investigatorKey, ...FLOOR_SIGNATURE_PADDING },
    call.signature,
  );
  if (!signed) throw new Error(`order ${call.authorisationId}: the signature does not verify`);
  const generation = row.generation + 1;
  const next = JSON.stringify({ ...document, status: 'SUBMITTED', generation, requestSignature: SIGNATURE_ENVELOPE });
  const event = JSON.stringify({
    action: 'submit',
    authorisationId: call.authorisationId,
    fromStatus: 'DRAFT',
    toStatus: 'SUBMITTED',
    generation,
    at: new Date().toISOString(),
  });
  // The compare-and-set must have written the order, as EVX's does (a lost race is refused, nothing written).
  const written = postgres
    ? await write(
        `WITH cas AS (UPDATE ${ORDERS} SET document = $1, generation = $2, status = 'SUBMITTED' ` +
          `WHERE id = $3 AND generation = $4 RETURNING id), ` +
          `audit AS (INSERT INTO ${AUDIT} (order_id, event) SELECT id, $5 FROM cas) ` +
          `SELECT count(*)::int AS written FROM cas`,
        [next, generation, call.authorisationId, row.generation, event],
      )
    : await write(
        `UPDATE ${ORDERS} SET document = ?, generation = ?, status = 'SUBMITTED' WHERE id = ? AND generation = ?`,
        [next, generation, call.authorisationId, row.generation],
      );
  if (written !== 1) throw new Error(`order ${call.authorisationId}: stale generation (changed meanwhile)`);
  if (!postgres) await write(`INSERT INTO ${AUDIT} (order_id, event) VALUES (?, ?)`, [call.authorisationId, event]);
  return { authorisationId: call.authorisationId, generation, document: RESPONSE };
}

// SQLite: the calls of one event-loop turn run one after the other in one transaction, each in its own savepoint,
// and the transaction commits once (as libs/persistence's serialiser groups commits). A call that fails leaves nothing
// of its own; if SQLite rolls back the whole transaction (disk full, I/O error), every call of the group fails.
interface Queued {
  call: SubmitCall;
  resolve: (value: object) => void;
  reject: (error: unknown) => void;
}
const queue: Queued[] = [];
let scheduled = false;
let turn: Promise<void> = Promise.resolve();

function grouped(call: SubmitCall): Promise<object> {
  return new Promise((resolve, reject) => {
    queue.push({ call, resolve, reject });
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const group = queue.splice(0);
      // Whatever runGroup did not settle fails with its error; the next group runs regardless.
      turn = turn.then(() => runGroup(group)).catch((error: unknown) => group.forEach((q) => q.reject(error)));
    });
  });
}

const inTransaction = (): boolean =>
  (dataSource.driver as unknown as { databaseConnection: { inTransaction: boolean } }).databaseConnection.inTransaction;

/** Raw BEGIN / SAVEPOINT / COMMIT on the shared connection, outside TypeORM's own transaction count. */
async function runGroup(group: Queued[]): Promise<void> {
  const runner = dataSource.createQueryRunner();
  const read: Query = (sql, parameters) => runner.query(sql, parameters);
  const write: Write = async (sql, parameters) =>
    ((await runner.query(sql, parameters, true)) as { affected?: number }).affected ?? 0;
  const outcomes: ({ ok: true; value: object } | { ok: false; error: unknown })[] = [];
  try {
    await runner.query('BEGIN');
    for (const { call } of group) {
      await runner.query('SAVEPOINT floor_call');
      const outcome = await submit(call, read, write).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (!inTransaction()) throw outcome.ok ? new Error('SQLite ended the transaction') : outcome.error;
      if (!outcome.ok) await runner.query('ROLLBACK TO floor_call');
      await runner.query('RELEASE floor_call');
      outcomes.push(outcome);
    }
    await runner.query('COMMIT');
  } catch (error) {
    if (inTransaction()) await runner.query('ROLLBACK').catch(() => undefined);
    group.forEach((queued) => queued.reject(error));
    return;
  } finally {
    await runner.release();
  }
  group.forEach((queued, i) => {
    const outcome = outcomes[i] as (typeof outcomes)[number];
    if (outcome.ok) queued.resolve(outcome.value);
    else queued.reject(outcome.error);
  });
}

@Controller()
class SubmitFloorController {
  @GrpcMethod(SUBMIT_FLOOR_SERVICE, 'Submit')
  submit(call: SubmitCall): Promise<object> {
    if (!postgres) return grouped(call);
    const read: Query = (sql, parameters) => dataSource.query(sql, parameters);
    const write: Write = async (sql, parameters) =>
      ((await dataSource.query(sql, parameters)) as { written: number }[])[0]?.written ?? 0;
    return submit(call, read, write);
  }
}

@Module({ controllers: [SubmitFloorController] })
class SubmitFloorModule {}

async function main(): Promise<void> {
  const pki = process.env.EVX_CERTS_DIR as string;
  investigatorKey = createPublicKey(readFileSync(join(pki, 'actors', 'police-hn.inv-1.crt')));
  dataSource = await openDatabase();
  await seed(dataSource, Number(process.env.BENCH_SUBMIT_FLOOR_ORDERS));
  const roots = ['authority', 'provider', 'service'].map((domain) =>
    readFileSync(join(pki, domain, 'root.crt'), 'utf8'),
  );
  const credentials = ServerCredentials.createSsl(
    Buffer.from(roots.join('\n')),
    [
      {
        cert_chain: readFileSync(join(pki, 'services', 'vault.crt')),
        private_key: readFileSync(join(pki, 'services', 'vault.key')),
      },
    ],
    true,
  );
  const app = await NestFactory.createMicroservice(SubmitFloorModule, {
    logger: ['error'],
    transport: Transport.GRPC,
    options: {
      url: `127.0.0.1:${process.env.BENCH_SUBMIT_FLOOR_PORT}`,
      package: SUBMIT_FLOOR_PACKAGE,
      packageDefinition: submitFloorDefinition(),
      credentials,
    },
  });
  await app.listen();
  process.send?.({ type: 'bench-ready' });
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => dataSource.destroy())
      .finally(() => process.exit(0));
  });
}

if (process.env.BENCH_SUBMIT_FLOOR_PORT) void main();
