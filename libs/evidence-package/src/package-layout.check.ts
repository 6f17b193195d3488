// Which files a package may and must hold (docs/package-format.md §1). Anything else is refused: no file in a package
// may escape the signatures, and nothing a verifier ignores can be slipped in.
import {
  PACKAGE_PATHS,
  approvalPath,
  approvalSignaturePath,
  packageBagInfo,
  type BagInfoFacts,
} from './package-format.js';
import { APPROVAL_FILE, RECORD_FILE } from './package-items.js';
import type { VerifyContext } from './verify.context.js';

const FIXED = new Set<string>(Object.values(PACKAGE_PATHS));
const BAGIT_FILES = /^(bagit\.txt|bag-info\.txt|(tag)?manifest-[a-z0-9]+\.txt)$/;

export interface PackageLayout {
  readonly approvalCount: number;
  readonly disclosure: boolean;
}

export function checkLayout(ctx: VerifyContext, files: readonly string[]): PackageLayout {
  const approvals = new Map<number, number>();
  for (const file of files) {
    const approval = APPROVAL_FILE.exec(file);
    if (approval) approvals.set(Number(approval[1]), (approvals.get(Number(approval[1])) ?? 0) + 1);
    if (FIXED.has(file) || BAGIT_FILES.test(file) || RECORD_FILE.test(file) || approval) continue;
    ctx.fail(file, 'is not part of the evidence package format v1', 'unexpected file');
  }
  const present = new Set(files);
  for (const path of ['manifest-sha256.txt', 'tagmanifest-sha256.txt', ...Object.values(PACKAGE_PATHS)]) {
    if (path !== PACKAGE_PATHS.disclosure && !present.has(path)) ctx.fail(path, 'is missing');
  }
  for (let n = 1; n <= approvals.size; n++) {
    if (!present.has(approvalPath(n))) ctx.fail(approvalPath(n), 'is missing (approvals are numbered 01, 02, ...)');
    if (!present.has(approvalSignaturePath(n))) ctx.fail(approvalSignaturePath(n), 'is missing');
  }
  ctx.list.pass('layout', 'every file is one the format defines, and none is missing');
  return { approvalCount: approvals.size, disclosure: present.has(PACKAGE_PATHS.disclosure) };
}

/** bag-info.txt is fully determined by the package, so it is regenerated and compared line by line. */
export async function checkBagInfo(
  ctx: VerifyContext,
  facts: BagInfoFacts & { readonly receivedAt: string },
  disclosure: { kept: number; total: number } | undefined,
): Promise<void> {
  const { octets, files } = ctx.findings.payload;
  const expected = [
    ...packageBagInfo(facts, disclosure).map(([label, value]) => `${label}: ${value}`),
    `Bagging-Date: ${facts.receivedAt.slice(0, 10)}`,
    `Payload-Oxum: ${octets}.${files}`,
  ];
  const actual = Buffer.from(await ctx.bytes('bag-info.txt', 64 * 1024)).toString('utf8');
  const lines = actual.endsWith('\n') ? actual.slice(0, -1).split('\n') : [...actual.split('\n'), '(no final newline)'];
  const length = Math.max(lines.length, expected.length);
  for (let i = 0; i < length; i++) {
    if (lines[i] !== expected[i]) {
      ctx.fail(
        'bag-info.txt',
        `line ${i + 1} is ${JSON.stringify(lines[i] ?? '')}, the package prescribes ${JSON.stringify(expected[i] ?? '')}`,
      );
    }
  }
  ctx.list.pass('bag-info', 'bag-info.txt is exactly what the package prescribes');
}
