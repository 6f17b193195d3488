import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import { DisclosureError, disclosePackage } from './package.discloser.js';
import { packageWorkspace, type PackageWorkspace } from './testing/package-workspace.js';

// Builds packages with RSA signatures and may wait for the shared dev PKI: more than jest's default 5 s under load.
jest.setTimeout(60_000);

/** One ustar header block (POSIX.1-1988) for a hand-made hostile archive. */
function tarHeader(name: string, size: number, type: '0' | '2' | '5', link = ''): Buffer {
  const header = Buffer.alloc(512);
  const put = (offset: number, length: number, value: string) => header.write(value, offset, length, 'latin1');
  put(0, 100, name);
  put(100, 8, '0000644\0');
  put(108, 8, '0000000\0');
  put(116, 8, '0000000\0');
  put(124, 12, `${size.toString(8).padStart(11, '0')}\0`);
  put(136, 12, '00000000000\0');
  put(148, 8, '        ');
  put(156, 1, type);
  put(157, 100, link);
  put(257, 8, 'ustar\x0000');
  let sum = 0;
  for (const byte of header) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

function tarOf(entries: { name: string; data?: string; type?: '0' | '2' | '5'; link?: string }[]): Buffer {
  const blocks = entries.flatMap(({ name, data = '', type = '0', link }) => {
    const body = Buffer.from(data);
    const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
    body.copy(padded);
    return [tarHeader(name, body.length, type, link), padded];
  });
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

describe('hostile and damaged archives', () => {
  let ws: PackageWorkspace;
  beforeAll(async () => {
    ws = await packageWorkspace();
  });
  afterAll(() => ws.cleanup());

  const escapes = (): { name: string; target: string }[] => {
    const id = randomUUID();
    return [
      { name: `../../evx-escape-${id}.txt`, target: resolve(tmpdir(), '..', `evx-escape-${id}.txt`) },
      { name: `bag/../../evx-escape2-${id}.txt`, target: resolve(tmpdir(), `evx-escape2-${id}.txt`) },
      { name: `/tmp/evx-escape3-${id}.txt`, target: `/tmp/evx-escape3-${id}.txt` },
    ];
  };

  it.each([0, 1, 2])('refuses path traversal (case %i) and writes nothing outside a temporary folder', async (i) => {
    const escape = escapes()[i] as { name: string; target: string };
    const tar = join(ws.dir, `traversal-${i}.tar`);
    writeFileSync(
      tar,
      tarOf([
        { name: 'bag/bagit.txt', data: 'BagIt-Version: 1.0\n' },
        { name: escape.name, data: 'pwned' },
      ]),
    );
    const result = await ws.verify(tar);
    expect(result.valid).toBe(false);
    expect(result.failure?.item).toBe('archive');
    expect(result.failure?.message).toMatch(/^archive: .*(\.\.|absolute).*; nothing was extracted$/);
    await expect(disclosePackage(tar, [1], join(ws.dir, `d-${i}.tar`))).rejects.toThrow(DisclosureError);
    expect(existsSync(escape.target)).toBe(false);
    expect(existsSync(join(ws.dir, `d-${i}.tar`))).toBe(false);
  });

  it('refuses a symbolic link entry', async () => {
    const tar = join(ws.dir, 'link.tar');
    writeFileSync(
      tar,
      tarOf([
        { name: 'bag/bagit.txt', data: 'x' },
        { name: 'bag/data/passwd', type: '2', link: '/etc/passwd' },
      ]),
    );
    const result = await ws.verify(tar);
    expect(result.failure?.message).toMatch(/^archive: .*bag\/data\/passwd/);
  });

  it('refuses a compressed or truncated file', async () => {
    const gz = join(ws.dir, 'package.tar.gz');
    writeFileSync(gz, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0]), readFileSync(ws.tar)]));
    expect((await ws.verify(gz)).failure?.item).toBe('archive');
    const cut = join(ws.dir, 'cut.tar');
    writeFileSync(cut, readFileSync(ws.tar).subarray(0, 10_000));
    expect((await ws.verify(cut)).failure?.item).toBe('archive');
  });

  it('names the record when a byte of its payload is flipped inside the tar', async () => {
    const tar = readFileSync(ws.tar);
    const folderPayload = readFileSync(join(ws.folder, 'data/records/00000003.bin'));
    const at = tar.indexOf(folderPayload);
    expect(at).toBeGreaterThan(0);
    tar[at + 5] = (tar[at + 5] as number) ^ 0x20;
    const tampered = join(ws.dir, 'tampered.tar');
    writeFileSync(tampered, tar);
    expect((await ws.verify(tampered)).failure?.message).toMatch(
      /^record 3 \(data\/records\/00000003\.bin\): sha256 mismatch/,
    );
  });

  it('refuses a folder with a file the format does not define', async () => {
    const copy = ws.copy();
    writeFileSync(join(copy, 'evx', 'notes.txt'), 'hello');
    expect((await ws.verify(copy)).failure?.message).toBe(
      'unexpected file (evx/notes.txt): is not part of the evidence package format v1',
    );
  });

  it('refuses every invalid bag of the BagIt conformance suite, and any bag that is not an EVX package', async () => {
    const suite = resolve(process.cwd(), 'libs/bagit/test-fixtures/bagit-conformance');
    const bags = ['v1.0', 'v0.97'].flatMap((version) =>
      readdirSync(join(suite, version), { withFileTypes: true })
        .filter((group) => group.isDirectory())
        .flatMap((group) =>
          readdirSync(join(suite, version, group.name)).map((bag) => join(suite, version, group.name, bag)),
        ),
    );
    expect(bags.length).toBeGreaterThan(10);
    for (const bag of bags) {
      const result = await ws.verify(bag);
      expect({ bag, valid: result.valid }).toEqual({ bag, valid: false });
      expect(result.failure?.message).toMatch(/\S/);
    }
  });
});
