import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { OpenedBagArchive } from '#evx/bagit';
import type { PackageVerification } from '#evx/evidence-package';
import { REPO_ROOT } from '../cli.paths.js';

/**
 * #evx/evidence-package's DEFAULT_LOG_ORIGIN, written out so that registering the command does not load the
 * verifier (verify.command.spec.ts checks that the two agree).
 */
export const DEFAULT_LOG_ORIGIN = 'evx.local/log';

/** The trust folder option of the evidence commands: the dev PKI unless told otherwise. */
export const trustOption = (): Option =>
  new Option('--trust <folder>', 'trust folder: CA certificates and CRLs per trust domain, and log/log.pub')
    .env('EVX_CERTS_DIR')
    .default(resolve(REPO_ROOT, 'certs-dev/out'));

/**
 * `evx verify <package>`: checks an evidence package offline (docs/package-format.md §11).
 * Exit 0 valid, 1 invalid (the first failing item is named), 2 usage or I/O error (thrown to main).
 */
export function verifyCommand(program: Command): void {
  program
    .command('verify')
    .description('verify an evidence package offline: records, hash chain, Merkle root, signatures, log proof')
    .argument('<package>', 'package file (.tar) or unpacked package folder')
    .addOption(trustOption())
    .option(
      '--log-origin <origin>',
      'origin (and key name) of the EVX log that anchors the package',
      DEFAULT_LOG_ORIGIN,
    )
    .option('--json', 'print the structured result as JSON')
    .action(async (path: string, opts: { trust: string; logOrigin: string; json?: boolean }) => {
      // The payload of a tar is hashed on worker threads while the verifier loads (X.509 and PKI code, ~0.25 s):
      // #evx/bagit, which indexes it and starts the hashing, loads in a fraction of that.
      const archive = await openEarly(resolve(path));
      try {
        const { verifyPackage } = await import('#evx/evidence-package');
        const options = { trustDir: resolve(opts.trust), logOrigin: opts.logOrigin };
        const result = await verifyPackage(archive ?? resolve(path), options);
        console.log(opts.json ? JSON.stringify(result, null, 2) : formatVerification(path, result));
        process.exitCode = result.valid ? 0 : 1;
      } finally {
        await archive?.close();
      }
    });
}

/**
 * The package tar opened, its payload hashing started; undefined for a folder, or when the archive cannot be opened
 * or is refused: `verifyPackage` is then given the path and reports (or throws) exactly what is wrong with it.
 */
async function openEarly(path: string): Promise<OpenedBagArchive | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    const { openBagArchive } = await import('#evx/bagit');
    return await openBagArchive(path, { hashAhead: true });
  } catch {
    return undefined;
  }
}

/** Human-readable report: every passed check, then the verdict (and the failure, or what the package proves). */
export function formatVerification(path: string, result: PackageVerification): string {
  const lines = [`evx verify ${path}`];
  for (const check of result.checks) lines.push(`  [ok]   ${check.name}: ${check.detail}`);
  if (result.failure) lines.push(`  [FAIL] ${result.failure.message}`);
  for (const note of result.notes) lines.push(`  [note] ${note}`);
  lines.push(
    result.valid ? `VALID: ${result.proves ?? ''}` : `INVALID: ${result.failure?.message ?? 'unknown failure'}`,
  );
  return lines.join('\n');
}
