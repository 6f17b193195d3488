// evx/disclosure.json: present only in a selective disclosure. It lists the records kept and, for each, its RFC 6962
// inclusion proof in the tree of all the package's records, whose root the provider signed (docs/package-format.md §9).
import { encodeCanonical, FormatError, isHex32, parseCanonical } from './canonical.util.js';
import { DOC_TYPE, MAX_RECORDS } from './package-format.js';
import { arr, element, expectMembers, expectType, int, uuid } from './schema.util.js';

export interface DisclosedRecord {
  readonly sequenceNumber: number;
  /** Sibling hashes from the leaf up (lowercase hex), as RFC 9162 §2.1.3 defines the inclusion proof. */
  readonly inclusionProof: readonly string[];
}

export interface DisclosureDocument {
  readonly packageId: string;
  /** All records of the package (the tree size), not only the disclosed ones. */
  readonly recordCount: number;
  /** Ascending by sequence number, no duplicates. */
  readonly records: readonly DisclosedRecord[];
}

export function encodeDisclosure(disclosure: DisclosureDocument): Uint8Array {
  const bytes = encodeCanonical({ ...disclosure, type: DOC_TYPE.disclosure });
  parseDisclosure(bytes);
  return bytes;
}

export function parseDisclosure(bytes: Uint8Array): DisclosureDocument {
  const doc = parseCanonical(bytes);
  expectMembers(doc, ['packageId', 'recordCount', 'records', 'type']);
  expectType(doc, DOC_TYPE.disclosure);
  const recordCount = int(doc, 'recordCount', 1, MAX_RECORDS);
  const list = arr(doc, 'records', MAX_RECORDS);
  if (list.length === 0) throw new FormatError('"records" is empty: a disclosure holds at least one record');
  const records = list.map((_, i): DisclosedRecord => {
    const entry = element(list, 'records', i);
    expectMembers(entry, ['inclusionProof', 'sequenceNumber']);
    const sequenceNumber = int(entry, 'sequenceNumber', 1, recordCount);
    const proof = arr(entry, 'inclusionProof', 64);
    if (!proof.every(isHex32)) throw new FormatError(`"records"[${i}].inclusionProof must hold 64-digit hex hashes`);
    return { sequenceNumber, inclusionProof: proof as string[] };
  });
  records.forEach((record, i) => {
    const previous = records[i - 1];
    if (previous && record.sequenceNumber <= previous.sequenceNumber) {
      throw new FormatError('"records" must be in ascending sequenceNumber order without duplicates');
    }
  });
  return { packageId: uuid(doc, 'packageId'), recordCount, records };
}
