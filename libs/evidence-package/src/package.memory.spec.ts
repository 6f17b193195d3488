import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { jest } from '@jest/globals';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { verifyPackage } from './package.verifier.js';
import { TEST_LOG_ORIGIN } from './testing/in-memory-log.anchor.js';
import { buildFixturePackage, sampleRecords } from './testing/package.fixture.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

const MIB = 1024 * 1024;

// rss counts garbage too (chunks already written), and V8 collects external buffers only every few tens of MiB, so
// rss alone is a coarse bound. The real check is live memory (heap + buffers) right after a forced collection:
// what the code still holds. jest gives no --expose-gc, hence the flag at run time. Collections are spaced to cost
// at most a quarter of the time, so the test stays fast on a busy machine.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Peak growth of rss and of live memory while `work` runs, over the level before it. */
async function peakGrowth(work: () => Promise<unknown>): Promise<{ rss: number; live: number }> {
  const live = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  gc();
  const before = { rss: process.memoryUsage().rss, live: live() };
  const peak = { ...before };
  const sample = setInterval(() => (peak.rss = Math.max(peak.rss, process.memoryUsage().rss)), 5);
  let timer: NodeJS.Timeout | undefined;
  const collect = (): void => {
    const started = performance.now();
    gc();
    peak.live = Math.max(peak.live, live());
    timer = setTimeout(collect, Math.max(100, 3 * (performance.now() - started)));
  };
  timer = setTimeout(collect, 100);
  try {
    await work();
  } finally {
    clearInterval(sample);
    clearTimeout(timer);
  }
  return { rss: peak.rss - before.rss, live: peak.live - before.live };
}

describe('streaming', () => {
  it('builds and verifies packages without memory growing with their size (20 MB vs 60 MB)', async () => {
    const pki = await sharedTestPki();
    const dir = mkdtempSync(join(tmpdir(), 'evx-memory-'));
    try {
      // Warm up (module loading, JIT, crypto) on a small package so the measurement sees only the big ones.
      await buildFixturePackage(pki, join(dir, 'warm.tar'), { records: sampleRecords(2, () => MIB) });
      const measure = async (records: number) => {
        const out = join(dir, `p${records}.tar`);
        // Records of 1 MiB, each produced in 64 KiB chunks as they are written.
        const build = await peakGrowth(() =>
          buildFixturePackage(pki, out, { records: sampleRecords(records, () => MIB) }),
        );
        expect(statSync(out).size).toBeGreaterThan(records * MIB);
        const verify = await peakGrowth(async () => {
          const result = await verifyPackage(out, { trustDir: pki, logOrigin: TEST_LOG_ORIGIN });
          expect(result.valid).toBe(true);
        });
        return { build: build.live / MIB, verify: verify.live / MIB };
      };
      const small = await measure(20);
      const large = await measure(60);
      // Holding the package would keep at least 60 MiB live; streaming holds a few buffers whatever the size.
      // The bounds are loose on purpose (V8 frees buffers lazily, and under a loaded CI the samples land at different
      // moments): what matters is that tripling the package does not triple the memory. Holding the records would
      // add at least 40 MiB from 20 to 60 records; the margin is 20 (12 failed under load at 15 MiB, a timing effect).
      expect(large.build).toBeLessThan(30);
      expect(large.build).toBeLessThan(small.build + 20);
      expect(large.verify).toBeLessThan(45);
      expect(large.verify).toBeLessThan(small.verify + 20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
