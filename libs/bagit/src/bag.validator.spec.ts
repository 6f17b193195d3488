// Rules the conformance suite does not exercise, on small hand-made v1.0 bags.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256 } from '../test-fixtures/bag.helpers.js';
import type { BagIssueCode } from './bag.issue.js';
import { validateBag, type BagValidationResult } from './bag.validator.js';

const BAGIT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
const HELLO = 'hello\n';
const HELLO_LINE = `${sha256(Buffer.from(HELLO))}  data/hello.txt\n`;

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'evx-bagit-rules-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes the given files (bagit.txt, data/hello.txt and its manifest unless overridden) and validates. */
async function bag(files: Record<string, string | Buffer | null>): Promise<BagValidationResult> {
  const all: Record<string, string | Buffer | null> = {
    'bagit.txt': BAGIT,
    'data/hello.txt': HELLO,
    'manifest-sha256.txt': HELLO_LINE,
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    if (content === null) continue;
    const file = join(scratch, ...path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return validateBag(scratch);
}

const errorCodes = (r: BagValidationResult): BagIssueCode[] => r.errors.map((e) => e.code);
const warningCodes = (r: BagValidationResult): BagIssueCode[] => r.warnings.map((e) => e.code);

describe('validateBag rules', () => {
  it('accepts the minimal bag', async () => {
    const result = await bag({});
    expect(result).toMatchObject({ valid: true, errors: [], warnings: [], version: '1.0' });
  });

  it('requires data/ and at least one payload manifest', async () => {
    expect(errorCodes(await bag({ 'data/hello.txt': null, 'manifest-sha256.txt': '' }))).toEqual([
      'payload-dir-missing',
    ]);
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch);
    expect(errorCodes(await bag({ 'manifest-sha256.txt': null }))).toEqual(['manifest-missing']);
  });

  it('accepts every line ending and a missing final one', async () => {
    const result = await bag({
      'bagit.txt': 'BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8',
      'manifest-sha256.txt': HELLO_LINE.replace('\n', '\r'),
    });
    expect(result.valid).toBe(true);
  });

  it('rejects malformed manifest lines and checksums of the wrong length', async () => {
    const result = await bag({
      'manifest-sha256.txt': `${HELLO_LINE}nothex  data/x\nabc  data/hello.txt\n${sha256(Buffer.from(''))}\n`,
    });
    expect(errorCodes(result)).toEqual(['manifest-line-invalid', 'manifest-line-invalid', 'manifest-line-invalid']);
    expect(result.errors.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('accepts tabs and several spaces as the separator, and upper-case hex', async () => {
    const result = await bag({
      'manifest-sha256.txt': `${sha256(Buffer.from(HELLO)).toUpperCase()}\t \tdata/hello.txt\n`,
    });
    expect(result.valid).toBe(true);
  });

  it('decodes %25, %0A and %0D in v1.0 paths and warns about a stray %', async () => {
    const ok = await bag({
      'data/a%b': 'x',
      'manifest-sha256.txt': `${HELLO_LINE}${sha256(Buffer.from('x'))}  data/a%25b\n`,
    });
    expect(ok).toMatchObject({ valid: true, warnings: [] });
    rmSync(join(scratch, 'data', 'a%b'));
    const stray = await bag({
      'data/b%c': 'x',
      'manifest-sha256.txt': `${HELLO_LINE}${sha256(Buffer.from('x'))}  data/b%c\n`,
    });
    expect(stray.valid).toBe(true);
    expect(warningCodes(stray)).toEqual(['path-stray-percent']);
  });

  it('treats a UTF-8 BOM in a tag file as an error in v1.0', async () => {
    const result = await bag({
      'manifest-sha256.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(HELLO_LINE)]),
    });
    expect(errorCodes(result)).toEqual(['bom']);
  });

  it('reports manifests whose algorithm it cannot compute', async () => {
    const result = await bag({ 'manifest-whirlpool9.txt': `00  data/hello.txt\n` });
    expect(errorCodes(result)).toEqual(['algorithm-unsupported']);
  });

  it('enforces the tag manifest rules', async () => {
    const tagLine = (name: string, content: string) => `${sha256(Buffer.from(content))}  ${name}\n`;
    const result = await bag({
      'extra.txt': 'x',
      'tagmanifest-sha256.txt':
        tagLine('bagit.txt', BAGIT) + tagLine('data/hello.txt', HELLO) + tagLine('tagmanifest-sha512.txt', ''),
    });
    expect(errorCodes(result).sort()).toEqual([
      'payload-in-tag-manifest',
      'payload-manifest-not-in-tag-manifest',
      'tag-manifest-lists-tag-manifest',
    ]);
    expect(warningCodes(result)).toEqual(['tag-file-unlisted', 'tag-file-unlisted']); // extra.txt, manifest
  });

  it('checks bag-info.txt strictly in v1.0', async () => {
    const result = await bag({
      'bag-info.txt':
        'Source-Organization: X\n  continued\nSpaced Label : no\nPayload-Oxum: 6.1\nPayload-Oxum: 6.1\nBagging-Date: yesterday\n',
    });
    expect(errorCodes(result)).toEqual(['bag-info-invalid', 'oxum-repeated']);
    expect(warningCodes(result)).toEqual(['bagging-date-invalid']);
    const wrong = await bag({ 'bag-info.txt': 'Payload-Oxum: 7.1\n' });
    expect(wrong.errors).toEqual([expect.objectContaining({ code: 'oxum-mismatch', file: 'bag-info.txt', line: 1 })]);
    const malformed = await bag({ 'bag-info.txt': 'Payload-Oxum: six\n' });
    expect(errorCodes(malformed)).toEqual(['oxum-invalid']);
  });

  it('checks fetch.txt lines and paths without fetching anything', async () => {
    const result = await bag({
      'fetch.txt':
        'https://example.org/h - data/hello.txt\nnot-a-url 5 data/hello.txt\nhttps://example.org/x 1 data/other\n',
    });
    expect(errorCodes(result)).toEqual(['fetch-line-invalid', 'fetch-not-in-manifest']);
    expect(warningCodes(result)).toContain('fetch-present');
  });

  it('rejects a manifest that lists a directory', async () => {
    const result = await bag({
      'data/sub/x': 'x',
      'manifest-sha256.txt': `${HELLO_LINE}${sha256(Buffer.from('x'))}  data/sub/x\n00${'0'.repeat(62)}  data/sub\n`,
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'file-missing', message: expect.stringMatching(/is a directory/) }),
    ]);
  });

  it('requires every payload file in every payload manifest (v1.0)', async () => {
    const result = await bag({ 'manifest-sha512.txt': '' });
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'file-not-in-manifest',
        file: 'data/hello.txt',
        message: expect.stringContaining('manifest-sha512.txt'),
      }),
    ]);
  });

  it('rejects unknown BagIt versions and undecodable encodings', async () => {
    expect(errorCodes(await bag({ 'bagit.txt': 'BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n' }))).toEqual([
      'version-unsupported',
    ]);
    expect(errorCodes(await bag({ 'bagit.txt': 'BagIt-Version: 1.0\nTag-File-Character-Encoding: X-NOPE\n' }))).toEqual(
      ['encoding-unsupported'],
    );
    expect(errorCodes(await bag({ 'bagit.txt': `${BAGIT}Extra: line\n` }))).toEqual(['bagit-txt-invalid']);
  });
});
