// One flipped byte anywhere that matters makes the bag invalid, with an error naming the damaged file.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_OPTIONS, writeSampleBag } from '../test-fixtures/bag.helpers.js';
import { validateBag, type BagValidationResult } from './bag.validator.js';
import { BagWriter } from './bag.writer.js';

let scratch: string;
let pristine: string;
let archive: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-tamper-'));
  pristine = join(scratch, 'pristine');
  await writeSampleBag(await BagWriter.toDirectory(pristine, SAMPLE_OPTIONS));
  archive = join(scratch, 'pristine.tar');
  await writeSampleBag(await BagWriter.toTarFile(archive, { ...SAMPLE_OPTIONS, baseName: 'bag' }));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function flipMiddleByte(file: string): void {
  const bytes = readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  writeFileSync(file, bytes);
}

const names = (result: BagValidationResult, target: string): boolean =>
  result.errors.some((e) => e.file === target || e.message.includes(target));

const TARGETS = [
  'data/call-records/2024-05.csv',
  'data/résumé.txt',
  'manifest-sha256.txt',
  'bag-info.txt',
  'bagit.txt',
  'evx/order.json',
  'evx/signatures/authority.sig',
  'tagmanifest-sha256.txt',
];

describe('tamper matrix', () => {
  it('the untouched bag is valid (directory and tar)', async () => {
    expect((await validateBag(pristine)).valid).toBe(true);
    expect((await validateBag(archive)).valid).toBe(true);
  });

  it.each(TARGETS)('directory bag: one byte flipped in %s', async (target) => {
    const copy = mkdtempSync(join(scratch, 'copy-'));
    cpSync(pristine, copy, { recursive: true });
    flipMiddleByte(join(copy, ...target.split('/')));
    const result = await validateBag(copy);
    expect(result.valid).toBe(false);
    expect(names(result, target)).toBe(true);
  });

  it.each(TARGETS)('tar bag: one byte flipped inside %s', async (target) => {
    const bytes = readFileSync(archive);
    // Locate the entry's data: it follows the header whose name field holds the entry name. Names with non-ASCII
    // characters live in a pax record, so search for that record instead.
    const marker = Buffer.from(/[^\x00-\x7f]/.test(target) ? `path=bag/${target}\n` : `bag/${target}\0`, 'utf8');
    const at = bytes.indexOf(marker);
    expect(at).toBeGreaterThanOrEqual(0);
    const headerStart = /[^\x00-\x7f]/.test(target) ? (Math.floor(at / 512) + 1) * 512 : at - (at % 512);
    const dataStart = headerStart + 512;
    const size = parseInt(bytes.toString('ascii', headerStart + 124, headerStart + 135), 8);
    expect(size).toBeGreaterThan(0);
    const tampered = Buffer.from(bytes);
    tampered[dataStart + Math.floor(size / 2)] ^= 0x01;
    const file = join(scratch, `tampered-${TARGETS.indexOf(target)}.tar`);
    writeFileSync(file, tampered);
    const result = await validateBag(file);
    expect(result.valid).toBe(false);
    expect(names(result, target)).toBe(true);
  });

  it('a flipped byte in a tar header is an archive error, not a silent misread', async () => {
    const tampered = Buffer.from(readFileSync(archive));
    tampered[512 + 3] ^= 0x01; // inside the name of the second entry
    const file = join(scratch, 'header.tar');
    writeFileSync(file, tampered);
    const result = await validateBag(file);
    expect(result.errors.map((e) => e.code)).toEqual(['archive-invalid']);
  });

  it('an extra payload file and a removed one are both reported by name', async () => {
    const copy = mkdtempSync(join(scratch, 'copy-'));
    cpSync(pristine, copy, { recursive: true });
    writeFileSync(join(copy, 'data', 'smuggled.bin'), 'extra');
    rmSync(join(copy, 'data', 'empty.bin'));
    const result = await validateBag(copy);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'file-not-in-manifest', file: 'data/smuggled.bin' }),
        expect.objectContaining({ code: 'file-missing', message: expect.stringContaining('data/empty.bin') }),
        expect.objectContaining({ code: 'oxum-mismatch', file: 'bag-info.txt' }),
      ]),
    );
  });
});
