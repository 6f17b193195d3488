import { decodeBase64, FormatError, formatTime, isTime, parseCanonical } from './canonical.util.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

describe('parseCanonical', () => {
  it('accepts the RFC 8785 form', () => {
    expect(parseCanonical(bytes('{"a":1,"b":[true,null,"x"]}'))).toEqual({ a: 1, b: [true, null, 'x'] });
  });

  it.each([
    ['whitespace', '{"a": 1}', 'not in canonical form'],
    ['unsorted members', '{"b":1,"a":2}', 'not in canonical form'],
    ['duplicate members', '{"a":1,"a":1}', 'not in canonical form'],
    ['a trailing newline', '{"a":1}\n', 'not in canonical form'],
    ['a byte order mark', '\ufeff{"a":1}', 'not valid JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['non-JSON', '{a:1}', 'not valid JSON'],
    ['escaped characters JCS writes raw', '{"a":"\\u00e9"}', 'not in canonical form'],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseCanonical(bytes(text))).toThrow(FormatError);
    expect(() => parseCanonical(bytes(text))).toThrow(message);
  });

  it('refuses invalid UTF-8', () => {
    expect(() => parseCanonical(Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toThrow(
      'not valid UTF-8',
    );
  });
});

describe('value formats', () => {
  it('times have exactly one spelling', () => {
    expect(formatTime(new Date(Date.UTC(2026, 10, 20, 8, 15)))).toBe('2026-11-20T08:15:00.000Z');
    expect(isTime('2026-11-20T08:15:00.000Z')).toBe(true);
    for (const other of [
      '2026-11-20T08:15:00Z',
      '2026-11-20T08:15:00.000+00:00',
      '2026-02-30T00:00:00.000Z',
      // Shaped like a time but none (a tampered digit): refused, not a RangeError.
      '2026-11-26T30:15:00.000Z',
      '2026-13-20T08:15:00.000Z',
      '2026-11-20T08:75:00.000Z',
    ]) {
      expect(isTime(other)).toBe(false);
    }
  });

  it('base64 must be canonical', () => {
    expect(decodeBase64('AAE=')).toEqual(Buffer.from([0, 1]));
    expect(decodeBase64('AAF=')).toBeUndefined(); // non-zero unused bits
    expect(decodeBase64('AAE')).toBeUndefined(); // no padding
    expect(decodeBase64('AA E=')).toBeUndefined();
    expect(decodeBase64('AAE=\n')).toBeUndefined();
    expect(decodeBase64('-_8=')).toBeUndefined(); // URL-safe alphabet
    expect(decodeBase64('+/8=')).toEqual(Buffer.from([0xfb, 0xff]));
    expect(decodeBase64('AAE=AAE=')).toBeUndefined(); // padding inside
    expect(decodeBase64('AA$E=')).toBeUndefined();
    expect(decodeBase64('')).toEqual(Buffer.alloc(0));
  });
});
