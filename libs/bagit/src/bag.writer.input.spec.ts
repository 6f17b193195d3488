// Input checks of the writer: paths, metadata and options it must refuse before writing anything.
import { BagPathError } from './bag.errors.js';
import { BagWriter } from './bag.writer.js';
import { FIXED_DATE, MemorySink, chunksOf } from '../test-fixtures/bag.helpers.js';

describe('BagWriter input checks', () => {
  let writer: BagWriter;
  beforeEach(() => {
    writer = BagWriter.toTar(new MemorySink(), { baggingDate: FIXED_DATE, baseName: 'b' });
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['data/../escape', 'dot-segment'],
    ['data/./x', 'dot-segment'],
    ['data//x', 'empty-segment'],
    ['data/x/', 'empty-segment'],
    ['data\\x', 'backslash'],
    ['data/x\0y', 'nul'],
    ['data/line\nbreak', 'control-character'],
    ['data/tab\there', 'control-character'],
    ['C:/x', 'drive-letter'],
    ['~/x', 'home-shortcut'],
    ['evidence/x', 'not-in-payload'],
    ['data', 'not-in-payload'],
    ['data/\ud800', 'invalid-utf8'],
  ])('refuses payload path %j (%s)', async (path, problem) => {
    await expect(writer.addPayload(path, chunksOf('x'), 1)).rejects.toMatchObject({ name: 'BagPathError', problem });
    await expect(writer.addPayload('data/ok', chunksOf('x'), 1)).resolves.toMatchObject({ size: 1 });
  });

  it.each([
    ['data/x', 'in-payload'],
    ['data', 'in-payload'],
    ['bagit.txt', 'duplicate'],
    ['BagIt.txt', 'case-or-normalization-collision'],
    ['manifest-md5.txt', 'reserved-name'],
    ['tagmanifest-sha256.txt', 'reserved-name'],
    ['fetch.txt', 'reserved-name'],
    ['../x', 'dot-segment'],
  ])('refuses tag path %j (%s)', (path, problem) => {
    expect(() => writer.addTagFile(path, Buffer.from('x'))).toThrow(expect.objectContaining({ problem }));
  });

  it('refuses duplicates, case and normalization twins, file/directory clashes and disorder', async () => {
    await writer.addPayload('data/b/c', chunksOf('x'), 1);
    const attempt = (path: string) => writer.addPayload(path, chunksOf('x'), 1);
    await expect(attempt('data/b/c')).rejects.toMatchObject({ problem: 'out-of-order' });
    await expect(attempt('data/a')).rejects.toMatchObject({ problem: 'out-of-order' });
    await expect(attempt('data/b/c/d')).rejects.toMatchObject({ problem: 'file-directory-conflict' });
    await expect(attempt('data/b/C')).rejects.toMatchObject({ problem: 'out-of-order' });
    await expect(attempt('data/b/c2')).resolves.toBeDefined();
    await expect(attempt('data/b/Cé')).rejects.toMatchObject({ problem: 'out-of-order' });
    await expect(attempt('data/B/x')).rejects.toMatchObject({ problem: 'out-of-order' });
    await expect(attempt('data/c')).resolves.toBeDefined();
    await expect(attempt('data/C2')).rejects.toMatchObject({ problem: 'out-of-order' });
    await expect(attempt('data/cafe\u0301')).resolves.toBeDefined();
    await expect(attempt('data/caf\u00e9')).rejects.toMatchObject({ problem: 'case-or-normalization-collision' });
    await expect(attempt('data/d/X')).resolves.toBeDefined();
    await expect(attempt('data/d/x')).rejects.toMatchObject({ problem: 'case-or-normalization-collision' });
    expect(() => writer.addTagFile('data/b', Buffer.from(''))).toThrow(BagPathError);
    writer.addTagFile('evx/a', Buffer.from(''));
    expect(() => writer.addTagFile('evx/a/b', Buffer.from(''))).toThrow(
      expect.objectContaining({ problem: 'file-directory-conflict' }),
    );
    expect(() => writer.addTagFile('EVX/b', Buffer.from(''))).toThrow(
      expect.objectContaining({ problem: 'case-or-normalization-collision' }),
    );
  });

  it('refuses concurrent calls instead of interleaving entries', async () => {
    const first = writer.addPayload('data/a', chunksOf('x'), 1);
    await expect(writer.addPayload('data/b', chunksOf('x'), 1)).rejects.toThrow(/still running/);
    await first;
  });

  it.each([
    [[['Payload-Oxum', '1.1']], /computed by the writer/],
    [[['Bagging-date', '2020-01-01']], /computed by the writer/],
    [[['Bad:Label', 'x']], /':'/],
    [[[' Padded', 'x']], /padded/],
    [[['Label', 'two\nlines']], /line break/],
    [[['Label', '']], /empty/],
  ] as const)('refuses bag-info fields %j', (bagInfo, message) => {
    expect(() => BagWriter.toTar(new MemorySink(), { baggingDate: FIXED_DATE, baseName: 'b', bagInfo })).toThrow(
      message,
    );
  });

  it('refuses unusable dates, base names and algorithm lists', () => {
    const make = (o: object) => () =>
      BagWriter.toTar(new MemorySink(), { baggingDate: FIXED_DATE, baseName: 'b', ...o });
    expect(make({ baggingDate: new Date('1960-01-01') })).toThrow(/baggingDate/);
    expect(make({ baggingDate: new Date(Number.NaN) })).toThrow(/baggingDate/);
    expect(make({ baseName: 'a/b' })).toThrow(/baseName/);
    expect(make({ baseName: '..' })).toThrow(/baseName/);
    expect(make({ algorithms: [] })).toThrow(/algorithm/);
    expect(make({ algorithms: ['md5'] })).toThrow(/unsupported/);
  });
});
