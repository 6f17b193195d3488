import { lastFailure } from './contract-context.js';

describe('lastFailure (why an adapter went quiet)', () => {
  it("picks the adapter's last failure line, without colours or Nest's prefix", () => {
    const output = [
      '\x1b[32m[Nest] 3018  - 11/26/2026, 9:31:05 AM     LOG\x1b[39m [mock-bank] connected to provider-edge',
      '[Nest] 3018  - 11/26/2026, 9:31:11 AM    WARN [mock-bank] task t: upload interrupted (Error: socket closed)',
      '[Nest] 3018  - 11/26/2026, 9:31:13 AM     LOG [mock-bank] task t generation 5 failed: FAILED_PRECONDITION: changed',
      '[Nest] 3018  - 11/26/2026, 9:31:14 AM     LOG [mock-bank] heartbeat',
    ].join('\n');
    expect(lastFailure(output)).toBe('task t generation 5 failed: FAILED_PRECONDITION: changed');
  });

  it('says nothing when nothing failed', () => {
    expect(lastFailure('[Nest] 1 - now LOG [x] all good\n')).toBeUndefined();
  });
});
