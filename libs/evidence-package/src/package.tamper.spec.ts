import { join } from 'node:path';
import { jest } from '@jest/globals';
import { flipByte, packageWorkspace, type PackageWorkspace } from './testing/package-workspace.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

// One byte flipped in one file of a valid package must be detected, and the message must name the item and file.
// Three positions per file, so a flip in a hash, a name or a structural character is each tried somewhere.
const MATRIX: [file: string, item: RegExp][] = [
  ['data/records/00000002.bin', /^record 2 \(data\/records\/00000002\.bin\): /],
  ['data/records/00000002.json', /^record 2 metadata \(data\/records\/00000002\.json\): /],
  ['manifest-sha256.txt', /^payload manifest \(manifest-sha256\.txt\): /],
  ['tagmanifest-sha256.txt', /^tag manifest \(tagmanifest-sha256\.txt\): /],
  ['bag-info.txt', /^bag-info \(bag-info\.txt\): /],
  ['bagit.txt', /^bag declaration \(bagit\.txt\): /],
  ['evx/package.json', /^package descriptor \(evx\/package\.json\): /],
  ['evx/authorisation/request.json', /^request \(evx\/authorisation\/request\.json\): /],
  ['evx/authorisation/request.sig.json', /^request signature \(evx\/authorisation\/request\.sig\.json\): /],
  ['evx/authorisation/approvals/02.json', /^approval 2( \(judge\))? \(evx\/authorisation\/approvals\/02\.json\): /],
  [
    'evx/authorisation/approvals/02.sig.json',
    /^approval 2 \(judge\) signature \(evx\/authorisation\/approvals\/02\.sig\.json\): /,
  ],
  ['evx/origin.json', /^origin statement \(evx\/origin\.json\): /],
  ['evx/origin.sig.json', /^origin signature \(evx\/origin\.sig\.json\): /],
  ['evx/custody.json', /^custody statement \(evx\/custody\.json\): /],
  ['evx/custody.sig.json', /^custody signature \(evx\/custody\.sig\.json\): /],
  ['evx/custody-events.jsonl', /^custody events \(evx\/custody-events\.jsonl\): /],
  ['evx/log/checkpoint', /^log checkpoint \(evx\/log\/checkpoint\): /],
  ['evx/log/package.tlog-proof', /^log proof \(evx\/log\/package\.tlog-proof\): /],
];

describe('tamper matrix', () => {
  let ws: PackageWorkspace;
  beforeAll(async () => {
    ws = await packageWorkspace();
  });
  afterAll(() => ws.cleanup());

  it('the untouched package verifies', async () => {
    const result = await ws.verify(ws.folder);
    expect(result.failure).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  describe.each(MATRIX)('%s', (file, item) => {
    it.each([0.2, 0.5, 0.8])('a flipped byte at %f of the file is detected and named', async (fraction) => {
      const copy = ws.copy();
      flipByte(join(copy, file), fraction);
      const result = await ws.verify(copy);
      expect(result.valid).toBe(false);
      expect(result.failure?.message).toMatch(item);
    });
  });
});
