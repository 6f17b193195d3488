import { generateKeyPairSync } from 'node:crypto';
import { InMemoryLogStore, TransparencyLog } from '#evx/log';
import { newEd25519Signer, newEd25519Verifier } from '#evx/tlog';
import { auditEventLeaf, decodeAuditEventLeaf, type AuditEventRecord } from './log-leaf.codec.js';
import { auditLog, type LogSource } from './log-audit.verifier.js';

const ORIGIN = 'evx.test/log';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = newEd25519Signer(ORIGIN, Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'));
const verifier = newEd25519Verifier(ORIGIN, Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'));

const event = (i: number): AuditEventRecord => ({
  eventId: `ev-${i}`,
  actorUri: 'evx://authority/police-hn/investigator/inv-1',
  action: 'AUDIT_ACTION_REQUEST_CREATED',
  objects: [{ type: 'OBJECT_TYPE_AUTHORISATION', id: `req-${i}` }],
  oldState: '',
  newState: 'REQUEST_STATUS_DRAFT',
  reason: '',
  occurredAt: '2026-11-26T06:00:00.000Z',
  recordedBy: 'evx://service/authority-api',
});

function sourceOf(store: InMemoryLogStore, log: TransparencyLog): LogSource {
  return {
    checkpoints: async (from) => (await store.checkpoints(from, 100)).map((c) => c.note),
    leaves: async (start, end) => (await store.entries(start, end)).map((e) => e.leaf),
    inclusionProof: async (index, size) => (await log.inclusionProof(index, size)).proof,
  };
}

async function filledLog(batches: number) {
  const store = new InMemoryLogStore();
  const log = new TransparencyLog(store, { origin: ORIGIN, signer });
  for (let b = 0; b < batches; b++) {
    await log.append(
      [0, 1, 2].map((k) => ({ kind: 'audit', leaf: auditEventLeaf(event(b * 3 + k)), key: `ev-${b * 3 + k}` })),
    );
  }
  return { store, log };
}

describe('audit event leaves', () => {
  it('are canonical JSON that decodes back to the event', () => {
    const bytes = auditEventLeaf(event(1));
    expect(new TextDecoder().decode(bytes)).toBe(
      '{"action":"AUDIT_ACTION_REQUEST_CREATED","actorUri":"evx://authority/police-hn/investigator/inv-1","eventId":"ev-1","newState":"REQUEST_STATUS_DRAFT","objects":[{"id":"req-1","type":"OBJECT_TYPE_AUTHORISATION"}],"occurredAt":"2026-11-26T06:00:00.000Z","oldState":"","reason":"","recordedBy":"evx://service/authority-api","type":"evx.audit-event.v1"}',
    );
    expect(decodeAuditEventLeaf(bytes)).toEqual(event(1));
  });

  it('refuse a time that is not RFC 3339 UTC with milliseconds', () => {
    expect(() => auditEventLeaf({ ...event(1), occurredAt: '26/11/2026' })).toThrow('RFC 3339');
  });
});

describe('auditLog', () => {
  it('accepts an untouched log, checking every checkpoint', async () => {
    const { store, log } = await filledLog(5);
    const report = await auditLog(sourceOf(store, log), verifier, ORIGIN);
    expect(report).toEqual({ ok: true, entries: 15, checkpoints: 5, latestSize: 15 });
  });

  it('names the first altered entry', async () => {
    const { store, log } = await filledLog(5);
    store.tamperLeaf(7, auditEventLeaf({ ...event(7), reason: 'nothing to see here' }));
    const report = await auditLog(sourceOf(store, log), verifier, ORIGIN);
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toBe(7);
    expect(report.problem).toContain('entries up to 9');
  });

  it('with a checkpoint kept from an earlier audit, notices a log rewritten and re-signed from scratch', async () => {
    const { store, log } = await filledLog(3);
    const kept = (await store.latestCheckpoint())!.note;
    expect((await auditLog(sourceOf(store, log), verifier, ORIGIN, { trustedCheckpoint: kept })).ok).toBe(true);

    // The operator rebuilds the whole log with one event changed and signs it again with the real key.
    const forged = new InMemoryLogStore();
    const forgedLog = new TransparencyLog(forged, { origin: ORIGIN, signer });
    for (let b = 0; b < 4; b++) {
      await forgedLog.append(
        [0, 1, 2].map((k) => ({
          kind: 'audit',
          leaf: auditEventLeaf({ ...event(b * 3 + k), reason: b * 3 + k === 4 ? 'changed' : '' }),
        })),
      );
    }
    expect((await auditLog(sourceOf(forged, forgedLog), verifier, ORIGIN)).ok).toBe(true);
    const report = await auditLog(sourceOf(forged, forgedLog), verifier, ORIGIN, { trustedCheckpoint: kept });
    expect(report.ok).toBe(false);
    expect(report.problem).toContain('the log was rewritten: its first 9 entries');
  });

  it('refuses a checkpoint signed by another key', async () => {
    const { store, log } = await filledLog(2);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string;
    const report = await auditLog(
      sourceOf(store, log),
      newEd25519Verifier(ORIGIN, Buffer.from(other, 'base64url')),
      ORIGIN,
    );
    expect(report.ok).toBe(false);
    expect(report.problem).toMatch(/checkpoint after size 0/);
  });
});
