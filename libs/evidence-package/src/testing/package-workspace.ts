// A temporary workspace per spec file: one package built from the dev PKI, unpacked once, and cheap copies of it
// for tampering.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractBagArchive } from '#evx/bagit';
import { sharedTestPki } from '../../../../test/support/test-pki.js';
import type { BuiltPackage } from '../package.builder.js';
import { verifyPackage } from '../package.verifier.js';
import type { PackageVerification } from '../verification.result.js';
import { TEST_LOG_ORIGIN } from './in-memory-log.anchor.js';
import { buildFixturePackage, type FixtureOptions } from './package.fixture.js';

export interface PackageWorkspace {
  readonly pki: string;
  readonly dir: string;
  readonly tar: string;
  /** The package unpacked (the bag directory). */
  readonly folder: string;
  readonly built: BuiltPackage;
  /** A fresh copy of the unpacked package. */
  copy(): string;
  verify(path: string, now?: Date): Promise<PackageVerification>;
  cleanup(): void;
}

export async function packageWorkspace(options: FixtureOptions & { pki?: string } = {}): Promise<PackageWorkspace> {
  const pki = options.pki ?? (await sharedTestPki());
  const dir = mkdtempSync(join(tmpdir(), 'evx-package-test-'));
  const tar = join(dir, 'package.tar');
  const built = await buildFixturePackage(pki, tar, options);
  const extracted = await extractBagArchive(tar, { parentDir: dir });
  let copies = 0;
  return {
    pki,
    dir,
    tar,
    folder: extracted.bagDir,
    built,
    copy: () => {
      const target = join(dir, `copy-${++copies}`);
      cpSync(extracted.bagDir, target, { recursive: true });
      return target;
    },
    verify: (path, now) => verifyPackage(path, { trustDir: pki, logOrigin: TEST_LOG_ORIGIN, ...(now ? { now } : {}) }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Flips one bit of the byte at `fraction` of the file's length. */
export function flipByte(file: string, fraction = 0.5): void {
  const bytes = readFileSync(file);
  const at = Math.min(bytes.length - 1, Math.floor(bytes.length * fraction));
  bytes[at] = (bytes[at] as number) ^ 0x01;
  writeFileSync(file, bytes);
}

/** Recomputes both manifests, as an attacker who edits files and wants the bag to stay BagIt-valid would. */
export function rehashManifests(folder: string): void {
  const files = listFiles(folder);
  const line = (path: string): string =>
    `${createHash('sha256')
      .update(readFileSync(join(folder, path)))
      .digest('hex')}  ${path}\n`;
  writeFileSync(
    join(folder, 'manifest-sha256.txt'),
    files
      .filter((f) => f.startsWith('data/'))
      .map(line)
      .join(''),
  );
  const tags = listFiles(folder).filter((f) => !f.startsWith('data/') && f !== 'tagmanifest-sha256.txt');
  writeFileSync(join(folder, 'tagmanifest-sha256.txt'), tags.map(line).join(''));
}

function listFiles(folder: string, relative = ''): string[] {
  return readdirSync(join(folder, relative), { withFileTypes: true })
    .flatMap((entry) => {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      return entry.isDirectory() ? listFiles(folder, path) : [path];
    })
    .sort();
}
