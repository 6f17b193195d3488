// The text of the tag files the writer generates. All are UTF-8 without BOM, with LF line endings and a final LF.
import { BagWriteError } from './bag.errors.js';
import { compareBagPaths, encodeManifestPath } from './bag-path.util.js';

export type BagInfoField = readonly [label: string, value: string];

/** Labels the writer computes itself; accepting them from callers would produce duplicates. */
const COMPUTED_LABELS = new Set(['payload-oxum', 'bagging-date']);

export function bagitTxt(): Buffer {
  return Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n', 'utf8');
}

/** Checks caller-supplied bag-info fields against RFC 8493 §2.2.2 before anything is written. */
export function checkBagInfoFields(fields: readonly BagInfoField[]): void {
  for (const [label, value] of fields) {
    const where = `bag-info label ${JSON.stringify(label)}`;
    if (label.length === 0 || label.trim() !== label) throw new BagWriteError(`${where}: empty or padded with spaces`);
    if (/[:\u0000-\u001f\u007f]/.test(label)) throw new BagWriteError(`${where}: contains ':' or a control character`);
    if (COMPUTED_LABELS.has(label.toLowerCase())) throw new BagWriteError(`${where}: computed by the writer`);
    // Multi-line values would need folding, which readers disagree on; evidence metadata does not need it.
    if (value.length === 0 || /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
      throw new BagWriteError(`${where}: value is empty or contains a line break or control character`);
    }
  }
}

/** "YYYY-MM-DD" of the UTC day; the only clock the writer uses is the one it is given. */
export function baggingDay(date: Date): string {
  const time = date.getTime();
  if (!Number.isFinite(time) || time < 0 || time >= Date.UTC(10000, 0, 1)) {
    throw new BagWriteError('baggingDate must be a valid date between 1970-01-01 and 9999-12-31');
  }
  return date.toISOString().slice(0, 10);
}

export function bagInfoTxt(fields: readonly BagInfoField[], baggingDate: Date, octets: number, count: number): Buffer {
  const lines = fields.map(([label, value]) => `${label}: ${value}\n`);
  lines.push(`Bagging-Date: ${baggingDay(baggingDate)}\n`, `Payload-Oxum: ${octets}.${count}\n`);
  return Buffer.from(lines.join(''), 'utf8');
}

export interface ManifestEntry {
  readonly path: string;
  readonly digest: string;
}

/** "<hex>  <path>" lines sorted by path bytes; two spaces as sha256sum prints them, so `sha256sum -c` works. */
export function manifestTxt(entries: readonly ManifestEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => compareBagPaths(a.path, b.path));
  return Buffer.from(sorted.map((e) => `${e.digest}  ${encodeManifestPath(e.path)}\n`).join(''), 'utf8');
}
