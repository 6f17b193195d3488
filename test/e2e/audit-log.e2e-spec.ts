import { randomUUID } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { verifyAuditLog } from '../../apps/cli/src/commands/audit.command.js';
import { httpsGet } from '../support/https-client.js';
import { sharedTestPki } from '../support/test-pki.js';
import { callUnary, channelAs, keyPairOf, serverCa, startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let url: string;

const event = (i: number) => ({
  eventId: randomUUID(),
  actorUri: 'evx://authority/police-hn/approver/sup-1',
  action: 'AUDIT_ACTION_REQUEST_APPROVED',
  objects: [{ objectType: 'OBJECT_TYPE_AUTHORISATION', objectId: `req-${i}` }],
  oldState: 'REQUEST_STATUS_AWAITING_APPROVAL',
  newState: 'REQUEST_STATUS_APPROVED',
  reason: '',
  occurredAt: { seconds: String(1764136800 + i), nanos: 0 },
});

const verify = () => verifyAuditLog({ certs: stack.pki, as: 'dpa.aud-1', url, origin: 'evx.local/log', json: true });

beforeAll(async () => {
  stack = await startTestStack(await sharedTestPki());
  url = `https://localhost:${stack.ports.authorityHttps}`;
  for (let batch = 0; batch < 4; batch++) {
    await callUnary(
      'vault',
      `localhost:${stack.ports.vault}`,
      'appendLogEntries',
      {
        auditEvents: [0, 1, 2].map((k) => event(batch * 3 + k)),
      },
      channelAs(stack.pki, 'services/provider-edge'),
    );
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('audit log for oversight bodies', () => {
  it('lets an auditor read decoded events and the signed checkpoint', async () => {
    const res = await httpsGet(
      `${url}/v1/audit/entries?start=0&end=3`,
      serverCa(stack.pki),
      keyPairOf(stack.pki, 'dpa.aud-1'),
    );
    expect(res.status).toBe(200);
    const body = res.body as { entries: Array<{ index: number; event: { action: string; recordedBy: string } }> };
    expect(body.entries.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(body.entries[0].event).toMatchObject({
      action: 'AUDIT_ACTION_REQUEST_APPROVED',
      recordedBy: 'evx://service/provider-edge',
    });
    const cp = await httpsGet(`${url}/v1/audit/checkpoint`, serverCa(stack.pki), keyPairOf(stack.pki, 'dpa.aud-1'));
    expect(cp.body).toMatchObject({ origin: 'evx.local/log', treeSize: 12 });
  });

  it('refuses investigators and approvers (403)', async () => {
    for (const who of ['police-hn.inv-1', 'police-hn.judge-1']) {
      const res = await httpsGet(`${url}/v1/audit/checkpoint`, serverCa(stack.pki), keyPairOf(stack.pki, who));
      expect(res.status).toBe(403);
    }
  });

  it('answers a read beyond the log with 400 and the reason, passed on from the vault', async () => {
    const res = await httpsGet(
      `${url}/v1/audit/entries?start=0&end=99`,
      serverCa(stack.pki),
      keyPairOf(stack.pki, 'dpa.aud-1'),
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('beyond the log size 12');
  });

  it('evx audit verify: re-hashes every entry against every checkpoint', async () => {
    expect(await verify()).toEqual({ ok: true, entries: 12, checkpoints: 4, latestSize: 12 });
  });

  it('evx audit verify: names the entry someone altered in the database', async () => {
    const ds = stack.vault.app!.get<DataSource>(getDataSourceToken());
    const [row] = (await ds.query('SELECT body FROM vault_log_entry WHERE seq = 7')) as Array<{ body: string }>;
    const param = ds.options.type === 'postgres' ? '$1' : '?';
    await ds.query(`UPDATE vault_log_entry SET body = ${param} WHERE seq = 7`, [
      row.body.replace('AUDIT_ACTION_REQUEST_APPROVED', 'AUDIT_ACTION_REQUEST_REJECTED'),
    ]);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toBe(7);
    expect(report.problem).toContain('entries up to 9');
  });
});
