// bag-info.txt (RFC 8493 §2.2.2): "Label: value" lines with indented continuation lines; Payload-Oxum checked.
import type { IssueList } from './bag.issue.js';
import { splitLines } from './tag-text.util.js';

export interface BagInfoElement {
  readonly label: string;
  readonly value: string;
  readonly line: number;
}

const FILE = 'bag-info.txt';

/**
 * v1.0 requires exactly "label: value" (colon, one space or tab); earlier versions MUST be read with any
 * whitespace around the colon (§2.2.2), which the v0.97 conformance bags use.
 */
export function parseBagInfo(text: string, v1: boolean, issues: IssueList): BagInfoElement[] {
  const elements: Array<{ label: string; value: string; line: number }> = [];
  const strict = /^([^:\s](?:[^:\r\n]*[^:\s])?):[ \t](.*)$/;
  const lenient = /^([^:\r\n]*[^:\s])[ \t]*:[ \t]*(.*)$/;
  splitLines(text).forEach((content, index) => {
    const line = index + 1;
    const at = { file: FILE, line };
    if (content.trim() === '') {
      issues.warn('bag-info-invalid', 'blank line', at);
      return;
    }
    const last = elements[elements.length - 1];
    if (/^[ \t]/.test(content)) {
      if (last === undefined) issues.error('bag-info-invalid', 'continuation line without an element', at);
      else last.value = `${last.value} ${content.trim()}`;
      return;
    }
    const match = (v1 ? strict : lenient).exec(content);
    if (!match) {
      const rule = v1 ? '"Label: value" (a colon followed by one space or tab)' : '"Label: value"';
      issues.error('bag-info-invalid', `expected ${rule}, found ${JSON.stringify(content)}`, at);
      return;
    }
    elements.push({ label: (match[1] ?? '').trim(), value: match[2] ?? '', line });
  });
  return elements;
}

export interface PayloadTotals {
  readonly octets: number;
  readonly files: number;
}

export function checkBagInfoElements(
  elements: readonly BagInfoElement[],
  totals: PayloadTotals,
  issues: IssueList,
): void {
  const oxums = elements.filter((e) => e.label.toLowerCase() === 'payload-oxum');
  for (const repeat of oxums.slice(1)) {
    issues.error('oxum-repeated', 'Payload-Oxum must not be repeated', { file: FILE, line: repeat.line });
  }
  const oxum = oxums[0];
  if (oxum !== undefined) {
    const at = { file: FILE, line: oxum.line };
    const match = /^([0-9]+)\.([0-9]+)$/.exec(oxum.value.trim());
    if (!match) issues.error('oxum-invalid', `Payload-Oxum ${JSON.stringify(oxum.value)} is not "octets.files"`, at);
    else if (Number(match[1]) !== totals.octets || Number(match[2]) !== totals.files) {
      const found = `${totals.octets}.${totals.files}`;
      issues.error('oxum-mismatch', `Payload-Oxum says ${oxum.value.trim()}, the payload is ${found}`, at);
    }
  }
  for (const date of elements.filter((e) => e.label.toLowerCase() === 'bagging-date')) {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date.value.trim())) {
      const at = { file: FILE, line: date.line };
      issues.warn('bagging-date-invalid', `Bagging-Date ${JSON.stringify(date.value)} is not YYYY-MM-DD`, at);
    }
  }
}
