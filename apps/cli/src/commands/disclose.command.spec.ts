import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Command } from 'commander';
import { TEST_LOG_ORIGIN } from '../../../../libs/evidence-package/src/testing/in-memory-log.anchor.js';
import {
  packageWorkspace,
  type PackageWorkspace,
} from '../../../../libs/evidence-package/src/testing/package-workspace.js';
import { discloseCommand, parseRecordList } from './disclose.command.js';
import { verifyCommand } from './verify.command.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

/** Runs `evx <args>` on a fresh program; returns what it printed and the exit code it set. */
async function evx(...args: string[]): Promise<{ out: string; err: string; exitCode: number }> {
  const program = new Command('evx').exitOverride();
  verifyCommand(program);
  discloseCommand(program);
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

describe('evx disclose', () => {
  let ws: PackageWorkspace;
  let trust: string[];
  beforeAll(async () => {
    ws = await packageWorkspace();
    trust = ['--trust', ws.pki, '--log-origin', TEST_LOG_ORIGIN];
  });
  afterAll(() => ws.cleanup());

  it('discloses chosen records into a package that verifies', async () => {
    const subset = join(ws.dir, 'cli-subset.tar');
    const disclosed = await evx('disclose', ws.tar, '--records', '2,4-5', '-o', subset);
    expect(disclosed.exitCode).toBe(0);
    expect(disclosed.out).toMatch(/^wrote .*cli-subset\.tar: records 2, 4, 5 of 5, \d+ bytes, sha256 [0-9a-f]{64}$/);
    const { out, exitCode } = await evx('verify', subset, ...trust);
    expect(exitCode).toBe(0);
    expect(out).toMatch(/^VALID: 3 of 5 records disclosed/m);
  });

  it('exits 1 when the source is not a package, and refuses bad record lists', async () => {
    writeFileSync(join(ws.dir, 'not-a-package.tar'), Buffer.alloc(2048, 0x41));
    const bad = await evx('disclose', join(ws.dir, 'not-a-package.tar'), '--records', '1', '-o', join(ws.dir, 'o.tar'));
    expect(bad.exitCode).toBe(1);
    expect(bad.err).toMatch(/^evx disclose: /);
    expect(existsSync(join(ws.dir, 'o.tar'))).toBe(false);
    expect(parseRecordList('3, 17,5-7')).toEqual([3, 17, 5, 6, 7]);
    for (const list of ['0', 'a', '5-3', '1,,2']) expect(() => parseRecordList(list)).toThrow(/is not a record number/);
  });
});
