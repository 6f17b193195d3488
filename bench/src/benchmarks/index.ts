import type { Benchmark } from '../bench.context.js';
import { emergencyFlowBenchmark } from './emergency-flow.bench.js';
import { evidenceIngestBenchmark } from './evidence-ingest.bench.js';
import { inclusionProofBenchmark } from './inclusion-proof.bench.js';
import { logAppendBenchmark } from './log-append.bench.js';
import { packageVerifyBenchmark } from './package-verify.bench.js';
import { requestSubmitBenchmark } from './request-submit.bench.js';

/** In the order of issue #6's table; each runs alone and cleans up after itself. */
export const BENCHMARKS: readonly Benchmark[] = [
  evidenceIngestBenchmark,
  requestSubmitBenchmark,
  logAppendBenchmark,
  packageVerifyBenchmark,
  inclusionProofBenchmark,
  emergencyFlowBenchmark,
];
