import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureDevPki } from '#evx/pki';

/** One dev PKI for the whole test run (generation takes seconds), under the git-ignored tmp/. Read-only use. */
export async function sharedTestPki(): Promise<string> {
  const dir = resolve(process.cwd(), 'tmp/test-pki');
  await ensureDevPki(dir);
  return dir;
}

/** A private copy for tests that revoke or issue certificates. */
export async function privateTestPki(): Promise<string> {
  const source = await sharedTestPki();
  const dir = join(mkdtempSync(join(tmpdir(), 'evx-pki-')), 'out');
  cpSync(source, dir, { recursive: true });
  return dir;
}
