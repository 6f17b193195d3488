// Everything after the declaration: manifests, completeness (RFC 8493 §3), fetch.txt, bag-info.txt, checksums.
import type { IssueList } from './bag.issue.js';
import { readWhole, type BagSource } from './bag.source.js';
import type { BagDeclaration } from './bag-declaration.check.js';
import { checkBagInfoElements, parseBagInfo } from './bag-info.check.js';
import { WORKER_MIN_BYTES } from './checksum.ahead.js';
import { defaultHashWorkers, HashPool, type FileRange, type HashOutcome } from './checksum.pool.js';
import { algorithmSpec, MultiHasher } from './checksum.util.js';
import { checkFetch } from './fetch.check.js';
import { parseManifest, type ParsedManifest } from './manifest.parser.js';
import { decodeTagFile } from './tag-text.util.js';

export interface ContentReport {
  readonly payloadAlgorithms: string[];
  readonly tagAlgorithms: string[];
  readonly octets: number;
  readonly files: number;
}

export interface ChecksumOptions {
  /** Threads hashing large files; default `defaultHashWorkers()`, 0 hashes everything on this thread. */
  readonly workers?: number;
  readonly onFileHashed?: (path: string, digests: Readonly<Record<string, string>>, octets: number) => void;
}

interface Expectation {
  readonly algorithm: string;
  readonly digest: string;
  readonly manifest: string;
  readonly line: number;
}

/** Names that operating systems drop into folders on their own; worth a warning, since nobody meant to send them. */
const SYSTEM_FILES = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|\._[^/]*|\.Spotlight-V100|\.Trashes)$/i;

export async function checkContents(
  source: BagSource,
  decl: BagDeclaration,
  maxTagFileBytes: number,
  issues: IssueList,
  hashing: ChecksumOptions = {},
): Promise<ContentReport> {
  const v1 = decl.v1;
  const readText = async (file: string): Promise<string | undefined> => {
    try {
      return decodeTagFile(await readWhole(source, file, maxTagFileBytes), file, decl, issues);
    } catch (error) {
      issues.error('file-unreadable', error instanceof Error ? error.message : String(error), { file });
      return undefined;
    }
  };

  if (!source.directories.has('data')) issues.error('payload-dir-missing', 'the payload directory "data/" is missing');
  const payloadFiles = [...source.files.keys()].filter((p) => p.startsWith('data/'));
  const octets = payloadFiles.reduce((sum, p) => sum + (source.files.get(p) ?? 0), 0);

  // Manifests: top-level files only, as the RFC names them.
  const manifests: ParsedManifest[] = [];
  const topLevel = [...source.files.keys()].filter((p) => !p.includes('/')).sort();
  for (const file of topLevel) {
    const match = /^(tag)?manifest-(.+)\.txt$/.exec(file);
    if (!match) continue;
    const kind = match[1] === undefined ? 'payload' : 'tag';
    const algorithm = match[2] ?? '';
    const spec = algorithmSpec(algorithm);
    if (spec === undefined) {
      issues.error('algorithm-unsupported', `checksum algorithm "${algorithm}" is not supported`, { file });
      continue;
    }
    const text = await readText(file);
    if (text === undefined) continue;
    manifests.push(parseManifest(text, { file, algorithm, hexLength: spec.hexLength, kind, v1 }, issues));
  }
  const payloadManifests = manifests.filter((m) => m.kind === 'payload');
  const tagManifests = manifests.filter((m) => m.kind === 'tag');
  if (!topLevel.some((f) => /^manifest-.+\.txt$/.test(f))) issues.error('manifest-missing', 'no payload manifest');

  // Resolve every entry to a file. Exact names first; then names equal after NFC, which the RFC says to
  // tolerate (§6.2.2) because file systems and archivers change normalization in transit.
  const byNfc = new Map<string, string[]>();
  for (const path of source.files.keys()) {
    const key = path.normalize('NFC');
    byNfc.set(key, [...(byNfc.get(key) ?? []), path]);
  }
  const byLowerCase = new Map([...source.files.keys()].map((p) => [p.normalize('NFC').toLowerCase(), p]));
  const expectations = new Map<string, Expectation[]>();
  const listedBy = new Map<string, Set<string>>();
  for (const manifest of manifests) {
    for (const entry of manifest.entries) {
      const at = { file: manifest.file, line: entry.line };
      let target: string | undefined = source.files.has(entry.path) ? entry.path : undefined;
      if (target === undefined) {
        const candidates = byNfc.get(entry.path.normalize('NFC')) ?? [];
        if (candidates.length === 1 && candidates[0] !== undefined) {
          target = candidates[0];
          issues.warn('normalization-mismatch', `${entry.path} matched ${target} after Unicode normalization`, at);
        }
      }
      if (SYSTEM_FILES.test(entry.path)) issues.warn('system-file', `${entry.path} is operating-system metadata`, at);
      if (target === undefined) {
        const kind = source.directories.has(entry.path) ? 'is a directory, not a file' : 'is missing';
        const similar = byLowerCase.get(entry.path.normalize('NFC').toLowerCase());
        const hint = similar === undefined ? '' : ` (${similar} differs only by letter case)`;
        issues.error('file-missing', `${entry.path} ${kind}${hint}`, at);
        continue;
      }
      const list = expectations.get(target) ?? [];
      list.push({ algorithm: manifest.algorithm, digest: entry.digest, manifest: manifest.file, line: entry.line });
      expectations.set(target, list);
      const listers = listedBy.get(target) ?? new Set<string>();
      listers.add(manifest.file);
      listedBy.set(target, listers);
    }
  }

  // Completeness. v1.0: every payload file in every payload manifest; before 1.0 one manifest sufficed.
  for (const path of payloadFiles.sort()) {
    const listers = listedBy.get(path);
    const missingFrom = payloadManifests.filter((m) => !listers?.has(m.file)).map((m) => m.file);
    if (payloadManifests.length === 0) break;
    if (v1 || missingFrom.length === payloadManifests.length) {
      for (const manifest of missingFrom) {
        issues.error('file-not-in-manifest', `${path} is not listed in ${manifest}`, { file: path });
      }
    }
    if (SYSTEM_FILES.test(path) && listers === undefined) {
      issues.warn('system-file', `${path} is operating-system metadata`, { file: path });
    }
  }
  checkTagManifestCoverage(source, payloadManifests, tagManifests, v1, issues);

  if (source.files.has('fetch.txt')) {
    const text = await readText('fetch.txt');
    if (text !== undefined) checkFetch(text, v1, payloadManifests, issues);
  }
  if (source.files.has('bag-info.txt')) {
    const text = await readText('bag-info.txt');
    if (text !== undefined)
      checkBagInfoElements(parseBagInfo(text, v1, issues), { octets, files: payloadFiles.length }, issues);
  }

  await verifyChecksums(source, expectations, issues, hashing);
  return {
    payloadAlgorithms: payloadManifests.map((m) => m.algorithm),
    tagAlgorithms: tagManifests.map((m) => m.algorithm),
    octets,
    files: payloadFiles.length,
  };
}

function checkTagManifestCoverage(
  source: BagSource,
  payloadManifests: readonly ParsedManifest[],
  tagManifests: readonly ParsedManifest[],
  v1: boolean,
  issues: IssueList,
): void {
  if (tagManifests.length === 0) return;
  const sets = tagManifests.map((m) => new Set(m.entries.map((e) => e.path)));
  tagManifests.forEach((manifest, i) => {
    for (const payloadManifest of payloadManifests) {
      if (!sets[i]?.has(payloadManifest.file)) {
        const text = `tag manifests must list every payload manifest; ${payloadManifest.file} is not listed`;
        issues.strict(v1, 'payload-manifest-not-in-tag-manifest', text, { file: manifest.file });
      }
    }
  });
  const first = sets[0] ?? new Set<string>();
  if (sets.some((s) => s.size !== first.size || [...s].some((p) => !first.has(p)))) {
    issues.warn('tag-manifests-differ', 'the tag manifests do not list the same tag files');
  }
  for (const path of [...source.files.keys()].sort()) {
    if (path.startsWith('data/') || /^tagmanifest-[^/]*\.txt$/.test(path)) continue;
    if (!sets.some((s) => s.has(path))) {
      issues.warn('tag-file-unlisted', 'tag file is not covered by any tag manifest', { file: path });
    }
  }
}

/**
 * Each file is read once, computing every algorithm any manifest asks for. Large files are hashed on worker threads,
 * several at once (see checksum.pool.ts); the findings are reported in path order whatever finishes first.
 */
async function verifyChecksums(
  source: BagSource,
  expectations: Map<string, Expectation[]>,
  issues: IssueList,
  hashing: ChecksumOptions,
) {
  const sorted = [...expectations].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const algorithmsOf = new Map(sorted.map(([path, wanted]) => [path, new Set(wanted.map((w) => w.algorithm))]));
  // Files whose hashing was started when the archive was opened are not hashed again.
  const ahead = new Map<string, Promise<HashOutcome>>();
  for (const [path, algorithms] of algorithmsOf) {
    const outcome = source.hashedAhead?.(path, algorithms);
    if (outcome !== undefined) ahead.set(path, outcome);
  }
  const offload = (path: string): FileRange | undefined =>
    (source.files.get(path) ?? 0) >= WORKER_MIN_BYTES && !ahead.has(path) ? source.locate?.(path) : undefined;
  const workers = Math.min(hashing.workers ?? defaultHashWorkers(), sorted.filter(([p]) => offload(p)).length);
  const pool = workers > 0 ? startPool(workers) : undefined;
  try {
    let inProcess: Promise<unknown> = Promise.resolve();
    const outcomes = sorted.map(([path]) => {
      const algorithms = algorithmsOf.get(path) as Set<string>;
      const early = ahead.get(path);
      // A file hashed ahead that could not be read there (a hashing thread died, say) is read again here, so the
      // finding, if any, is this thread's own.
      if (early !== undefined)
        return early.then((o) =>
          o.error === undefined && o.digests !== undefined ? o : hashInProcess(source, path, algorithms),
        );
      const range = pool === undefined ? undefined : offload(path);
      if (pool !== undefined && range !== undefined) return pool.hash(range, algorithms);
      // Small files on this thread, one after another.
      const outcome = inProcess.then(() => hashInProcess(source, path, algorithms));
      inProcess = outcome;
      return outcome;
    });
    for (const [i, [path, wanted]] of sorted.entries()) {
      const outcome = await (outcomes[i] as Promise<HashOutcome>);
      if (outcome.error !== undefined || outcome.digests === undefined) {
        issues.error('file-unreadable', `cannot read: ${outcome.error ?? 'no digest'}`, { file: path });
        continue;
      }
      const actual = outcome.digests;
      hashing.onFileHashed?.(path, actual, outcome.octets ?? 0);
      for (const want of wanted) {
        const got = actual[want.algorithm];
        if (got !== want.digest) {
          const text = `${want.algorithm} checksum mismatch: ${want.manifest}:${want.line} says ${want.digest}, content hashes to ${got}`;
          issues.error('checksum-mismatch', text, { file: path });
        }
      }
    }
  } finally {
    await pool?.close();
  }
}

/** Threads cannot always be started (resource limits): then everything is hashed on this thread. */
function startPool(size: number): HashPool | undefined {
  try {
    return new HashPool(size);
  } catch {
    return undefined;
  }
}

async function hashInProcess(source: BagSource, path: string, algorithms: Set<string>): Promise<HashOutcome> {
  const hasher = new MultiHasher(algorithms);
  try {
    for await (const chunk of source.open(path)) hasher.update(chunk);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  return { digests: hasher.digest(), octets: hasher.size };
}
