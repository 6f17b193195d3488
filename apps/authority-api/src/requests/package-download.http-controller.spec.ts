import { parseRange } from './package-download.http-controller.js';

describe('parseRange (Range header of GET /v1/requests/{id}/package)', () => {
  it('reads bytes=N- and bytes=N-M; no header is no range', () => {
    expect(parseRange(undefined)).toBeUndefined();
    expect(parseRange('')).toBeUndefined();
    expect(parseRange('bytes=1000-')).toEqual({ start: 1000n });
    expect(parseRange('bytes=10-19')).toEqual({ start: 10n, end: 19n });
    expect(parseRange(' Bytes = 0 - ')).toEqual({ start: 0n });
  });

  it('refuses suffix ranges, several ranges, other units and backwards ranges, saying what works', () => {
    for (const header of ['bytes=-500', 'bytes=0-1,5-9', 'items=0-', 'bytes=20-10', 'bytes=abc-']) {
      expect(() => parseRange(header)).toThrow(/bytes=N-|ends before it starts/);
    }
  });
});
