// Figure 5: `evx verify` of a package (1 GiB by default, --size) against SHA-256 of the same file in-process. The
// package is built with libs/evidence-package's builder and its test fixtures (dev PKI signers, in-memory log).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_LOG_ORIGIN } from '../../../libs/evidence-package/src/testing/in-memory-log.anchor.js';
import { buildFixturePackage, sampleRecords } from '../../../libs/evidence-package/src/testing/package.fixture.js';
import type { Benchmark } from '../bench.context.js';
import { measured } from '../figure.js';
import { runDist } from '../support/child-process.js';
import { mibPerSecond, sha256FileThroughput } from '../support/sha256.baseline.js';
import { round } from '../stats.js';

const RECORD = 16 * 2 ** 20;
const TARGET = 0.8;
const CLI = 'apps/cli/src/main.js';

export const packageVerifyBenchmark: Benchmark = {
  name: 'verify',
  description: '`evx verify` of a package (--size, default 1 GiB) vs SHA-256 of the same bytes',
  async run(context) {
    const size = context.options.sizeBytes;
    const count = Math.ceil(size / RECORD);
    const tar = join(context.tmp, 'verify-package.tar');
    const t0 = performance.now();
    await buildFixturePackage(context.pki, tar, {
      records: sampleRecords(count, (i) => Math.min(RECORD, size - i * RECORD)),
    });
    const bytes = statSync(tar).size;
    context.log(
      `verify: built a ${round(bytes / 2 ** 20, 1)} MiB package of ${count} records in ${round(performance.now() - t0, 0)} ms`,
    );
    const args = ['verify', tar, '--trust', context.pki, '--log-origin', TEST_LOG_ORIGIN];
    // What `evx verify` pays before it reads a byte (Node start, the command's own modules): `evx --help` would load
    // every command, which no other invocation does.
    const startup = await runDist(CLI, ['verify', '--help']);
    const rounds = context.options.quick ? 1 : 2;
    let best = { baseline: 0, verify: 0, verifyMs: Infinity };
    for (let r = 0; r < rounds; r++) {
      const baseline = await sha256FileThroughput(tar, bytes);
      const run = await runDist(CLI, args);
      if (run.code !== 0)
        throw new Error(`evx verify exited ${run.code}: ${run.stdout.slice(-500)}${run.stderr.slice(-500)}`);
      context.log(`verify: round ${r + 1}: sha256 ${round(baseline, 0)} MiB/s, evx verify ${round(run.ms, 0)} ms`);
      best = {
        baseline: Math.max(best.baseline, baseline),
        verify: Math.max(best.verify, mibPerSecond(bytes, run.ms)),
        verifyMs: Math.min(best.verifyMs, run.ms),
      };
    }
    return [
      measured({
        figure: 'verify',
        title: `evx verify of a ${round(bytes / 2 ** 20, 0)} MiB package (child process, wall clock)`,
        value: round(best.verify, 1),
        unit: 'MiB/s',
        baseline: { name: 'SHA-256 of the same file', value: round(best.baseline, 1), unit: 'MiB/s' },
        target: `ratio >= ${TARGET}`,
        met: best.verify / best.baseline >= TARGET,
        details: {
          package_bytes: bytes,
          records: count,
          verify_ms: round(best.verifyMs, 0),
          cli_startup_ms: round(startup.ms, 0),
          rounds,
        },
        note: context.options.quick ? 'quick size: the CLI start-up weighs far more than at 1 GiB' : undefined,
      }),
    ];
  },
};
