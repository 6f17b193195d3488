import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadConfig } from '#evx/config';
import { AuditTrail } from '#evx/transport';
import { startVault } from '../../apps/vault/src/vault.app.js';
import { VaultConfig } from '../../apps/vault/src/vault.config.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;

type Entries = {
  entries: Array<{ auditEvent: { eventId: string; actorUri: string; action: string } | null; leafData: Buffer }>;
};

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const facts = (id: string) => ({
  actorUri: 'evx://authority/police-hn/investigator/inv-1',
  action: 'AUDIT_ACTION_REQUEST_CREATED',
  objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id }],
  newState: 'REQUEST_STATUS_DRAFT',
});

async function logEntries(): Promise<Entries['entries']> {
  const vault = `localhost:${stack.ports.vault}`;
  const cp = await callUnary<{ treeSize: string }>(
    'vault',
    vault,
    'getCheckpoint',
    {},
    channelAs(stack.pki, 'services/authority-api'),
  ).catch(() => ({ treeSize: '0' }));
  const r = await callUnary<Entries>(
    'vault',
    vault,
    'getLogEntries',
    { startIndex: '0', endIndex: cp.treeSize },
    channelAs(stack.pki, 'services/authority-api'),
  );
  return r.entries;
}

async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the outbox to drain');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audit trail: transactional outbox relayed to the vault log', () => {
  it('an event recorded with a change reaches the log, reported by the service that recorded it', async () => {
    const trail = stack.authorityApi.app!.get(AuditTrail);
    const ds = stack.authorityApi.app!.get<DataSource>(getDataSourceToken());
    await ds.transaction((manager) => trail.record(manager, [facts('req-1')]));
    await trail.delivered();
    // The relay's own timer may have delivered it first; either way it must be delivered, once.
    await waitFor(async () => (await trail.outbox.backlog()) === 0, 15_000);
    const entries = await logEntries();
    const mine = entries.filter((e) => e.auditEvent?.actorUri === 'evx://authority/police-hn/investigator/inv-1');
    expect(mine).toHaveLength(1);
    expect(JSON.parse(mine[0].leafData.toString('utf8'))).toMatchObject({
      recordedBy: 'evx://service/authority-api',
      objects: [{ id: 'req-1' }],
    });
    expect(await trail.outbox.backlog()).toBe(0);
  });

  it('events recorded together reach the log in the order they were recorded', async () => {
    const trail = stack.authorityApi.app!.get(AuditTrail);
    const ds = stack.authorityApi.app!.get<DataSource>(getDataSourceToken());
    const ids = ['order-1', 'order-2', 'order-3', 'order-4', 'order-5'];
    await ds.transaction((manager) => trail.record(manager, ids.map(facts)));
    await waitFor(async () => (await trail.outbox.backlog()) === 0, 15_000);
    const objects = (await logEntries()).flatMap((e) => {
      const id = JSON.parse(e.leafData.toString('utf8')).objects?.[0]?.id as string | undefined;
      return id?.startsWith('order-') ? [id] : [];
    });
    expect(objects).toEqual(ids);
  });

  it('an event the log would refuse fails the change instead of blocking the outbox', async () => {
    const trail = stack.authorityApi.app!.get(AuditTrail);
    const ds = stack.authorityApi.app!.get<DataSource>(getDataSourceToken());
    await expect(
      ds.transaction((manager) => trail.record(manager, [{ ...facts('bad'), actorUri: 'mallory' }])),
    ).rejects.toThrow('actor_uri must be an evx:// identity URI');
    expect(await trail.outbox.backlog()).toBe(0);
  });

  it('a change that rolls back leaves no event', async () => {
    const trail = stack.authorityApi.app!.get(AuditTrail);
    const ds = stack.authorityApi.app!.get<DataSource>(getDataSourceToken());
    await expect(
      ds.transaction(async (manager) => {
        await trail.record(manager, [facts('req-rolled-back')]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await trail.outbox.backlog()).toBe(0);
  });

  it('while the vault is down events wait in the outbox, then arrive once', async () => {
    const trail = stack.providerEdge.app!.get(AuditTrail);
    const ds = stack.providerEdge.app!.get<DataSource>(getDataSourceToken());
    await stack.vault.close();
    await ds.transaction((manager) => trail.record(manager, [facts('while-down-1'), facts('while-down-2')]));
    expect(await trail.delivered()).toBe(0);
    expect(await trail.outbox.backlog()).toBe(2);

    stack.vault = await startVault(
      loadConfig(
        VaultConfig,
        {},
        { certsDir: stack.pki, logLevel: 'warn', grpcPort: stack.ports.vault, ...stack.db.settings },
      ),
    );
    // The relay's channel reconnects with backoff; its timer delivers the backlog without being asked.
    await waitFor(async () => (await trail.outbox.backlog()) === 0, 15_000);
    const ids = (await logEntries()).flatMap((e) =>
      e.leafData.toString('utf8').includes('while-down') ? [e.auditEvent?.eventId] : [],
    );
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });
});
