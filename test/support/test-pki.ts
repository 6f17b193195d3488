import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDevPki } from '#evx/pki';

const SHARED = resolve(process.cwd(), 'tmp/test-pki');
const LOCK = `${SHARED}.lock`;

/**
 * One dev PKI for the whole test run (generation takes seconds), under the git-ignored tmp/; read-only use.
 * Jest workers run in parallel, so the first one generates under a lock folder and the others wait for it.
 */
export async function sharedTestPki(): Promise<string> {
  const config = resolve(process.cwd(), 'certs-dev/pki.config.json');
  for (let waited = 0; waited < 180_000; waited += 200) {
    if (tryLock()) {
      try {
        await ensureDevPki(SHARED, { config });
      } finally {
        rmSync(LOCK, { recursive: true, force: true });
      }
      return SHARED;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${LOCK}; remove it if no test run is active`);
}

function tryLock(): boolean {
  mkdirSync(resolve(SHARED, '..'), { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    return false;
  }
}

/** A private copy for tests that revoke or issue certificates. */
export async function privateTestPki(): Promise<string> {
  const source = await sharedTestPki();
  const dir = join(mkdtempSync(join(tmpdir(), 'evx-pki-')), 'out');
  cpSync(source, dir, { recursive: true });
  return dir;
}
