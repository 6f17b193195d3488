import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Command } from 'commander';
import { TEST_LOG_ORIGIN } from '../../../../libs/evidence-package/src/testing/in-memory-log.anchor.js';
import {
  flipByte,
  packageWorkspace,
  type PackageWorkspace,
} from '../../../../libs/evidence-package/src/testing/package-workspace.js';
import { DEFAULT_LOG_ORIGIN as PACKAGE_DEFAULT_LOG_ORIGIN } from '#evx/evidence-package';
import { DEFAULT_LOG_ORIGIN, verifyCommand } from './verify.command.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

/** Runs `evx <args>` on a fresh program; returns what it printed and the exit code it set. */
async function evx(...args: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  const program = new Command('evx').exitOverride();
  verifyCommand(program);
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
  const error = jest.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'evx', ...args]);
    return { out: out.join('\n'), err: err.join('\n'), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    log.mockRestore();
    error.mockRestore();
    process.exitCode = 0;
  }
}

describe('evx verify', () => {
  let ws: PackageWorkspace;
  let trust: string[];
  beforeAll(async () => {
    ws = await packageWorkspace();
    trust = ['--trust', ws.pki, '--log-origin', TEST_LOG_ORIGIN];
  });
  afterAll(() => ws.cleanup());

  it('exits 0 for a valid package and lists the checks', async () => {
    const { out, exitCode } = await evx('verify', ws.tar, ...trust);
    expect(exitCode).toBe(0);
    expect(out).toMatch(/^ {2}\[ok\] {3}origin: 5 records, chain head and Merkle root signed by/m);
    expect(out).toMatch(/^VALID: All 5 records are present and unchanged/m);
  });

  it('exits 1 for a tampered package, naming the first failing item; --json gives the structured result', async () => {
    const copy = ws.copy();
    flipByte(join(copy, 'data/records/00000004.bin'));
    const human = await evx('verify', copy, ...trust);
    expect(human.exitCode).toBe(1);
    expect(human.out).toMatch(/^INVALID: record 4 \(data\/records\/00000004\.bin\): sha256 mismatch/m);
    const json = await evx('verify', copy, ...trust, '--json');
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      valid: false,
      failure: { item: 'record 4', path: 'data/records/00000004.bin' },
    });
  });

  it('defaults --log-origin to the verifier’s default origin', () => {
    expect(DEFAULT_LOG_ORIGIN).toBe(PACKAGE_DEFAULT_LOG_ORIGIN);
  });

  it('exits 1 for a hostile archive', async () => {
    const tar = join(ws.dir, 'not-a-package.tar');
    writeFileSync(tar, Buffer.alloc(2048, 0x41));
    const { out, exitCode } = await evx('verify', tar, ...trust);
    expect(exitCode).toBe(1);
    expect(out).toMatch(/^INVALID: archive: /m);
  });

  it('throws (exit 2 in main) for a path that does not exist or a trust folder without a log key', async () => {
    await expect(evx('verify', join(ws.dir, 'missing.tar'), ...trust)).rejects.toThrow(/ENOENT/);
    await expect(evx('verify', ws.tar, '--trust', ws.dir)).rejects.toThrow(/has no log key/);
  });
});
