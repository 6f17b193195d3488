// The records inside a downloaded package, read back for the checks `evx verify` does not make because they need
// the order: is every record within the order's scope, and is any record there twice?
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractBagArchive } from '#evx/bagit';
import { parseRecordMetadata, type RecordMetadata } from '#evx/evidence-package';
import type { OrderDetailsInput } from './authority-desk.js';

/** A record's metadata and the content digest that identifies it regardless of its position. */
export interface PackageRecord extends RecordMetadata {
  /** Type, selector, time, content type and payload hash: equal for the same evidence uploaded twice. */
  readonly contentKey: string;
}

/** Every record of a package file (tar), in sequence order. */
export async function readPackageRecords(tarFile: string): Promise<PackageRecord[]> {
  const bag = await extractBagArchive(tarFile);
  try {
    const dir = join(bag.bagDir, 'data', 'records');
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    const records: PackageRecord[] = [];
    for (const name of names) {
      const metadata = parseRecordMetadata(await readFile(join(dir, name)));
      records.push({ ...metadata, contentKey: contentKeyOf(metadata) });
    }
    return records;
  } finally {
    await bag.cleanup();
  }
}

export function contentKeyOf(m: RecordMetadata): string {
  return [m.requestType, m.selectorId, m.recordTime, m.contentType, m.payloadSha256].join('|');
}

/** Why a record is outside the order, or undefined when it is inside (categories, selectors, period). */
export function outOfScopeReason(record: RecordMetadata, details: OrderDetailsInput): string | undefined {
  const scope = details.requestDetails;
  const type = record.requestType.replace(/^REQUEST_TYPE_/, '');
  if (!scope.requestTypes.includes(type as never)) return `type ${type} was not ordered`;
  if (!scope.selectors.some((s) => s.selectorId === record.selectorId))
    return `selector ${record.selectorId} is not in the order`;
  if (scope.timeRange) {
    const t = Date.parse(record.recordTime);
    if (t < Date.parse(scope.timeRange.start) || t >= Date.parse(scope.timeRange.end))
      return `time ${record.recordTime} is outside [${scope.timeRange.start}, ${scope.timeRange.end})`;
  }
  return undefined;
}

/** Content keys present more than once. */
export function duplicates(records: readonly PackageRecord[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const r of records) (seen.has(r.contentKey) ? twice : seen).add(r.contentKey);
  return [...twice];
}
