import { canonicalBytes, canonicalJson } from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and drops insignificant whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], é: 0, A: { d: 2, c: 1 } })).toBe(
      '{"A":{"c":1,"d":2},"a":[true,null,"x"],"b":1,"é":0}',
    );
  });

  it('serialises numbers the ECMAScript way (RFC 8785 §3.2.2.3 examples)', () => {
    expect(canonicalJson([1e21, 1e-7, 333333333.3333333, -0, 4.5])).toBe('[1e+21,1e-7,333333333.3333333,0,4.5]');
  });

  it('escapes only what JSON requires', () => {
    expect(canonicalJson('\u20ac$\u000f\nA\'B"\\\\"/')).toBe('"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"');
  });

  it('refuses values with no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow('no canonical JSON form');
    expect(() => canonicalJson(Number.NaN)).toThrow();
  });

  it('gives UTF-8 bytes', () => {
    expect(Buffer.from(canonicalBytes({ k: 'é' })).toString('hex')).toBe(Buffer.from('{"k":"é"}').toString('hex'));
  });
});
