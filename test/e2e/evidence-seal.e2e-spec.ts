import { status } from '@grpc/grpc-js';
import { auditEventLeaf } from '#evx/audit';
import { loadConfig } from '#evx/config';
import type { LogAppender } from '#evx/log';
import { LOG_APPENDER } from '../../apps/vault/src/log.providers.js';
import type { RunningService } from '#evx/transport';
import { startVault } from '../../apps/vault/src/vault.app.js';
import { VaultConfig } from '../../apps/vault/src/vault.config.js';
import { freePort } from '../support/ports.js';
import { sharedTestPki } from '../support/test-pki.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { callUnary, channelAs } from '../support/test-stack.js';

let pki: string;
let db: TestDatabase;
let vault: RunningService;
let address: string;

const seal = (authorisationId: string, reason = 'SEAL_REASON_EMERGENCY_VALIDATION_OVERDUE') =>
  callUnary<{ logIndex: string; evidencePackages: unknown[] }>(
    'vault',
    address,
    'sealEvidence',
    {
      authorisationId,
      reason,
      details: 'no judicial validation within 48 h',
      onBehalfOfUri: 'evx://service/authority-api',
    },
    channelAs(pki, 'services/authority-api'),
  );

beforeAll(async () => {
  pki = await sharedTestPki();
  db = testDatabase();
  const port = await freePort();
  address = `localhost:${port}`;
  vault = await startVault(
    loadConfig(VaultConfig, {}, { certsDir: pki, logLevel: 'warn', grpcPort: port, ...db.settings }),
  );
}, 120_000);

afterAll(async () => {
  await vault?.close();
  await db?.drop();
});

describe('SealEvidence', () => {
  it('seals an order once, recording the seal in the log', async () => {
    const first = await seal('7d3c2a10-0000-4000-8000-000000000001');
    const again = await seal('7d3c2a10-0000-4000-8000-000000000001');
    expect(again.logIndex).toBe(first.logIndex);
    const entries = await callUnary<{
      entries: Array<{ auditEvent: { action: string; objects: Array<{ objectId: string }> } }>;
    }>(
      'vault',
      address,
      'getLogEntries',
      { startIndex: first.logIndex, endIndex: String(Number(first.logIndex) + 1) },
      channelAs(pki, 'services/provider-edge'),
    );
    expect(entries.entries[0].auditEvent).toMatchObject({
      action: 'AUDIT_ACTION_EVIDENCE_SEALED',
      objects: [{ objectId: '7d3c2a10-0000-4000-8000-000000000001' }],
    });
  });

  it('is refused to any other EVX service (provider-edge faces enterprises)', async () => {
    await expect(
      callUnary(
        'vault',
        address,
        'sealEvidence',
        {
          authorisationId: '7d3c2a10-0000-4000-8000-000000000003',
          reason: 'SEAL_REASON_EMERGENCY_VALIDATION_OVERDUE',
          details: 'x',
          onBehalfOfUri: 'evx://service/provider-edge',
        },
        channelAs(pki, 'services/provider-edge'),
      ),
    ).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: expect.stringContaining('allowed: service:authority-api'),
    });
  });

  it('a retry after a crash between logging the seal and storing it keeps the first log entry', async () => {
    const id = '7d3c2a10-0000-4000-8000-000000000004';
    // The crash: the seal reached the log (with an earlier time) but not the seal table.
    const logged = await vault.app!.get<LogAppender>(LOG_APPENDER).append([
      {
        kind: 'audit',
        key: `seal:${id}`,
        leaf: auditEventLeaf({
          eventId: `seal-${id}`,
          actorUri: 'evx://service/authority-api',
          action: 'AUDIT_ACTION_EVIDENCE_SEALED',
          objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id }],
          oldState: '',
          newState: 'SEALED',
          reason: 'SEAL_REASON_EMERGENCY_VALIDATION_OVERDUE: before the crash',
          occurredAt: '2026-11-26T00:00:00.000Z',
          recordedBy: 'evx://service/authority-api',
        }),
      },
    ]);
    const retried = await seal(id);
    expect(retried.logIndex).toBe(String(logged.indexes[0]));
  });

  it('refuses an unspecified reason with INVALID_ARGUMENT', async () => {
    await expect(seal('7d3c2a10-0000-4000-8000-000000000002', 'SEAL_REASON_UNSPECIFIED')).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringContaining('reason must be one of'),
    });
  });
});
