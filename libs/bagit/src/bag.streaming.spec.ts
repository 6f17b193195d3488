// A 50 MB payload goes through the writer (known size, straight into the tar; unknown size, spooled) and through
// the validator without the process holding it in memory. Loose bounds: this guards against buffering whole
// files, it is not a benchmark.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXED_DATE } from '../test-fixtures/bag.helpers.js';
import { validateBag } from './bag.validator.js';
import { BagWriter } from './bag.writer.js';

const PAYLOAD = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** Deterministic pseudo-random bytes, produced chunk by chunk and never all at once. */
async function* generate(total: number): AsyncIterable<Uint8Array> {
  let state = 0x12345678;
  for (let done = 0; done < total; done += CHUNK) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, total - done));
    for (let i = 0; i < chunk.length; i += 4) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      chunk.writeUInt32LE(state, i);
    }
    yield chunk;
  }
}

/** Peak RSS growth over `work`, sampled every few milliseconds. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ growth: number; value: T }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { growth: peak - before, value };
  } finally {
    clearInterval(timer);
  }
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-stream-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('streaming a 50 MB payload', () => {
  let expected: string;
  beforeAll(async () => {
    const hash = createHash('sha256');
    for await (const chunk of generate(PAYLOAD)) hash.update(chunk);
    expected = hash.digest('hex');
  });

  it.each([
    ['known size', true],
    ['unknown size (spooled)', false],
  ])(
    '%s: writes the tar without holding the payload',
    async (_label, known) => {
      const archive = join(scratch, `known-${known}.tar`);
      const { growth, value } = await peakGrowth(async () => {
        const writer = await BagWriter.toTarFile(archive, {
          baggingDate: FIXED_DATE,
          baseName: 'big',
          spoolDir: scratch,
        });
        await writer.addPayload('data/big.bin', generate(PAYLOAD), known ? PAYLOAD : undefined);
        return writer.finish();
      });
      expect(value.payload[0]?.digests['sha256']).toBe(expected);
      expect(statSync(archive).size).toBeGreaterThan(PAYLOAD);
      expect(growth).toBeLessThan(PAYLOAD * 0.6);

      const checked = await peakGrowth(() => validateBag(archive));
      expect(checked.value.valid).toBe(true);
      expect(checked.growth).toBeLessThan(PAYLOAD * 0.6);
    },
    60_000,
  );
});
