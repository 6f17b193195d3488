import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '#evx/config';
import { verifyPackage } from '#evx/evidence-package';
import { TransparencyLogAnchor, type LogAppender, type TransparencyLog } from '#evx/log';
import type { RunningService } from '#evx/transport';
import { buildFixturePackage } from '../../libs/evidence-package/src/testing/package.fixture.js';
import { LOG_APPENDER, TRANSPARENCY_LOG } from '../../apps/vault/src/log.providers.js';
import { startVault } from '../../apps/vault/src/vault.app.js';
import { VaultConfig } from '../../apps/vault/src/vault.config.js';
import { freePort } from '../support/ports.js';
import { sharedTestPki } from '../support/test-pki.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const ORIGIN = 'evx.local/log';
let pki: string;
let db: TestDatabase;
let vault: RunningService;
let anchor: TransparencyLogAnchor;

beforeAll(async () => {
  pki = await sharedTestPki();
  db = testDatabase();
  vault = await startVault(
    loadConfig(VaultConfig, {}, { certsDir: pki, logLevel: 'warn', grpcPort: await freePort(), ...db.settings }),
  );
  const log = vault.app!.get<TransparencyLog>(TRANSPARENCY_LOG);
  anchor = new TransparencyLogAnchor(log, vault.app!.get<LogAppender>(LOG_APPENDER));
}, 120_000);

afterAll(async () => {
  await vault?.close();
  await db?.drop();
});

describe(`package commitments in the vault's log (${process.env.DATABASE_URL ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('a package anchored in the real log verifies offline against the log key of the trust folder', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'evx-anchor-')), 'package.tar');
    const built = await buildFixturePackage(pki, out, { log: anchor });
    const result = await verifyPackage(out, { trustDir: pki, logOrigin: ORIGIN });
    expect(result.failure).toBeUndefined();
    expect(result.valid).toBe(true);
    const log = result.checks.find((c) => c.name === 'log');
    expect(log?.detail).toContain(`entry ${built.logIndex} of log ${ORIGIN}`);
  });

  it('committing the same leaf twice keeps one entry', async () => {
    const leaf = new TextEncoder().encode('{"type":"evx.test.leaf","n":1}');
    const first = await anchor.commit(leaf);
    const again = await anchor.commit(leaf);
    expect(again.index).toBe(first.index);
  });

  it('a package whose log proof names another origin is refused', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'evx-anchor-')), 'package.tar');
    await buildFixturePackage(pki, out, { log: anchor });
    const result = await verifyPackage(out, { trustDir: pki, logOrigin: 'evx.other/log' });
    expect(result.valid).toBe(false);
    expect(result.failure?.item).toMatch(/log/);
  });
});
