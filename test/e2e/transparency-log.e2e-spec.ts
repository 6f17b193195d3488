import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '#evx/config';
import { logVerifierKeyFromPem } from '#evx/log';
import { hashLeaf, verifyConsistency, verifyInclusion } from '#evx/merkle';
import { openCheckpoint, parseVerifierKey, verifyTlogProof } from '#evx/tlog';
import type { RunningService } from '#evx/transport';
import { startVault } from '../../apps/vault/src/vault.app.js';
import { VaultConfig } from '../../apps/vault/src/vault.config.js';
import { freePort } from '../support/ports.js';
import { sharedTestPki } from '../support/test-pki.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { callUnary, channelAs } from '../support/test-stack.js';

const ORIGIN = 'evx.test/log';
let pki: string;
let db: TestDatabase;
let vaults: RunningService[] = [];
let addresses: string[] = [];

const event = (tag: string) => ({
  eventId: randomUUID(),
  actorUri: 'evx://authority/police-hn/investigator/inv-1',
  action: 'AUDIT_ACTION_REQUEST_CREATED',
  objects: [{ objectType: 'OBJECT_TYPE_AUTHORISATION', objectId: tag }],
  oldState: '',
  newState: 'REQUEST_STATUS_DRAFT',
  reason: '',
  occurredAt: { seconds: '1764136800', nanos: 0 },
});

type AppendResponse = { indexes: string[]; treeSize: string };
type CheckpointResponse = { checkpoint: Buffer; treeSize: string; rootHash: Buffer; origin: string };

const asService = () => channelAs(pki, 'services/authority-api');
const append = (address: string, events: unknown[]) =>
  callUnary<AppendResponse>('vault', address, 'appendLogEntries', { auditEvents: events }, asService());

beforeAll(async () => {
  pki = await sharedTestPki();
  db = testDatabase();
  // Two vault instances on one database: sequencing must be serialised by the database, not in memory.
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    vaults.push(
      await startVault(
        loadConfig(
          VaultConfig,
          {},
          { certsDir: pki, logLevel: 'warn', logOrigin: ORIGIN, grpcPort: port, ...db.settings },
        ),
      ),
    );
    addresses.push(`localhost:${port}`);
  }
}, 120_000);

afterAll(async () => {
  for (const v of vaults) await v.close();
  await db.drop();
  vaults = [];
  addresses = [];
});

describe(`the vault's transparency log (${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  const verifier = () =>
    parseVerifierKey(logVerifierKeyFromPem(ORIGIN, readFileSync(join(pki, 'log', 'log.pub'), 'utf8')));

  it('appends audit events, signs a checkpoint with the log key, and proves inclusion offline', async () => {
    const events = [event('a'), event('b'), event('c')];
    const appended = await append(addresses[0], events);
    expect(appended.indexes).toHaveLength(3);
    const cp = await callUnary<CheckpointResponse>('vault', addresses[1], 'getCheckpoint', {}, asService());
    const opened = openCheckpoint(cp.checkpoint.toString('utf8'), verifier(), ORIGIN);
    expect(String(opened.checkpoint.size)).toBe(cp.treeSize);

    const entries = await callUnary<{
      entries: Array<{ index: string; leafData: Buffer; auditEvent: { eventId: string; actorUri: string } }>;
    }>(
      'vault',
      addresses[1],
      'getLogEntries',
      { startIndex: appended.indexes[0], endIndex: String(Number(appended.indexes[2]) + 1) },
      asService(),
    );
    expect(entries.entries.map((e) => e.auditEvent.eventId)).toEqual(events.map((e) => e.eventId));
    const leaf = entries.entries[1].leafData;
    expect(JSON.parse(leaf.toString('utf8'))).toMatchObject({
      recordedBy: 'evx://service/authority-api',
      type: 'evx.audit-event.v1',
    });

    const proof = await callUnary<{ hashes: Buffer[]; treeSize: string; checkpoint: Buffer; tlogProof: Buffer }>(
      'vault',
      addresses[0],
      'getInclusionProof',
      { leafIndex: appended.indexes[1], treeSize: '0' },
      asService(),
    );
    const root = openCheckpoint(proof.checkpoint.toString('utf8'), verifier(), ORIGIN).checkpoint.rootHash;
    verifyInclusion(hashLeaf(leaf), Number(appended.indexes[1]), Number(proof.treeSize), proof.hashes, root);
    expect(verifyTlogProof(proof.tlogProof.toString('utf8'), hashLeaf(leaf), verifier(), ORIGIN).index).toBe(
      Number(appended.indexes[1]),
    );
    const tampered = Buffer.from(leaf);
    tampered[10] ^= 1;
    expect(() => verifyTlogProof(proof.tlogProof.toString('utf8'), hashLeaf(tampered), verifier(), ORIGIN)).toThrow();
  });

  it('stores a replayed event once', async () => {
    const e = event('replay');
    const first = await append(addresses[0], [e]);
    const again = await append(addresses[1], [e]);
    expect(again.indexes).toEqual(first.indexes);
  });

  it('refuses a replayed event_id with other content as ALREADY_EXISTS', async () => {
    const e = event('conflict');
    await append(addresses[0], [e]);
    await expect(append(addresses[1], [{ ...e, reason: 'rewritten' }])).rejects.toMatchObject({
      code: 6,
      details: expect.stringContaining('other content'),
    });
  });

  it('refuses an event id that is not a UUID', async () => {
    await expect(append(addresses[0], [{ ...event('x'), eventId: 'seal-123' }])).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining('audit_events[0].event_id must be a UUID'),
    });
  });

  it('refuses a malformed event with INVALID_ARGUMENT naming the field', async () => {
    await expect(append(addresses[0], [{ ...event('x'), actorUri: 'mallory' }])).rejects.toMatchObject({
      code: 3,
      details: expect.stringContaining('audit_events[0].actor_uri'),
    });
  });

  it('two instances appending concurrently: no entry lost or duplicated, every checkpoint consistent with every earlier one', async () => {
    const sent = Array.from({ length: 40 }, (_, i) => Array.from({ length: 5 }, () => event(`c${i}`)));
    const results = await Promise.all(sent.map((batch, i) => append(addresses[i % 2], batch)));
    const indexes = results.flatMap((r) => r.indexes.map(Number));
    expect(new Set(indexes).size).toBe(200);

    const cps: Buffer[] = [];
    for (let from = 1; ;) {
      const page = await callUnary<{ checkpoints: Buffer[] }>(
        'vault',
        addresses[0],
        'listCheckpoints',
        { fromTreeSize: String(from), pageSize: 1000 },
        asService(),
      );
      if (page.checkpoints.length === 0) break;
      cps.push(...page.checkpoints);
      from = openCheckpoint(page.checkpoints.at(-1)!.toString('utf8'), verifier(), ORIGIN).checkpoint.size + 1;
    }
    const opened = cps.map((c) => openCheckpoint(c.toString('utf8'), verifier(), ORIGIN).checkpoint);
    const sizes = opened.map((c) => c.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(new Set(sizes).size).toBe(sizes.length);
    const last = opened.at(-1)!;
    for (const older of opened) {
      const p = await callUnary<{ hashes: Buffer[] }>(
        'vault',
        addresses[1],
        'getConsistencyProof',
        { oldTreeSize: String(older.size), newTreeSize: String(last.size) },
        asService(),
      );
      verifyConsistency(older.size, last.size, p.hashes, older.rootHash, last.rootHash);
    }

    const all = await callUnary<{ entries: Array<{ auditEvent: { eventId: string } }> }>(
      'vault',
      addresses[1],
      'getLogEntries',
      { startIndex: '0', endIndex: String(last.size) },
      asService(),
    );
    const ids = all.entries.map((e) => e.auditEvent.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of sent.flat()) expect(ids).toContain(e.eventId);
  }, 60_000);
});
