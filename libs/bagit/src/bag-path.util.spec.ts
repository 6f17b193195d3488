import { compareBagPaths, decodeManifestPath, encodeManifestPath, pathSyntaxProblem } from './bag-path.util.js';

describe('bag paths', () => {
  it('percent-encodes CR, LF and % only (RFC 8493 §2.1.3)', () => {
    expect(encodeManifestPath('data/a%b\r\nc d~é')).toBe('data/a%25b%0D%0Ac d~é');
  });

  it('decodes v1.0 paths and flags a stray %', () => {
    expect(decodeManifestPath('data/a%25b%0d%0Ac', true)).toEqual({ path: 'data/a%b\r\nc', strayPercent: false });
    expect(decodeManifestPath('data/%7Etest', true)).toEqual({ path: 'data/%7Etest', strayPercent: true });
    expect(decodeManifestPath('data/%2525', true).path).toBe('data/%25');
  });

  it('reads pre-1.0 paths literally except for CR and LF', () => {
    expect(decodeManifestPath('data/%7Etest1.txt', false)).toEqual({ path: 'data/%7Etest1.txt', strayPercent: false });
    expect(decodeManifestPath('data/%25x%0A', false).path).toBe('data/%25x\n');
  });

  it.each([
    ['data/a', undefined],
    ['data/.hidden', undefined],
    ['data/a..b', undefined],
    ['data/~x', undefined],
    ['', 'empty'],
    ['/abs', 'absolute'],
    ['data/../x', 'dot-segment'],
    ['./data/x', 'dot-segment'],
    ['data//x', 'empty-segment'],
    ['data\\x', 'backslash'],
    ['c:x', 'drive-letter'],
    ['~root/x', 'home-shortcut'],
    ['data/\0', 'nul'],
  ])('%j → %s', (path, problem) => {
    expect(pathSyntaxProblem(path)).toBe(problem);
  });

  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    const astral = 'data/\u{1F600}'; // F0 9F 98 80 in UTF-8, D83D DE00 in UTF-16
    const bmp = 'data/\uFF21'; // EF BC A1 in UTF-8
    expect(compareBagPaths(bmp, astral)).toBeLessThan(0);
    expect(bmp < astral).toBe(false); // what a plain string sort would get wrong
    expect(compareBagPaths('data/a.txt', 'data/a/b')).toBeLessThan(0);
  });
});
