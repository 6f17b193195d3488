// evx/custody-events.jsonl: the vault's chain-of-custody record up to receipt, one canonical JSON event per line.
// The custody statement commits to the file's SHA-256, so the events are as trustworthy as the countersignature.
import { encodeCanonical, FormatError, isTime, parseCanonical, type JsonRecord } from './canonical.util.js';
import { DOC_TYPE } from './package-format.js';
import { expectMembers, expectType, IDENTITY_URI, int, obj, str, time } from './schema.util.js';

export interface CustodyEvent {
  /** 1, 2, 3, ... in file order. */
  readonly sequence: number;
  /** What happened, e.g. upload-opened, upload-resumed, received. */
  readonly event: string;
  readonly at: string;
  /** Who did it (the vault, or the adapter for upload events). */
  readonly actorUri: string;
  readonly details: Readonly<Record<string, string | number>>;
}

/** The last event of every package: the vault's receipt, at the custody statement's receivedAt. */
export const RECEIVED_EVENT = 'received';

const EVENT_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const DETAIL_NAME = /^[a-z][A-Za-z0-9]{0,63}$/;
const MAX_EVENTS = 10_000;

function readDetails(details: JsonRecord): Record<string, string | number> {
  const entries = Object.entries(details);
  if (entries.length > 32) throw new FormatError('"details" has more than 32 members');
  for (const [name, value] of entries) {
    if (!DETAIL_NAME.test(name)) throw new FormatError(`detail name ${JSON.stringify(name)} is not allowed`);
    const ok = (typeof value === 'string' && value.length <= 1000) || Number.isSafeInteger(value);
    if (!ok) throw new FormatError(`detail "${name}" must be a string of at most 1000 characters or an integer`);
  }
  return details as Record<string, string | number>;
}

function readEvent(doc: JsonRecord): CustodyEvent {
  expectMembers(doc, ['actorUri', 'at', 'details', 'event', 'sequence', 'type']);
  expectType(doc, DOC_TYPE.custodyEvent);
  return {
    sequence: int(doc, 'sequence', 1, MAX_EVENTS),
    event: str(doc, 'event', EVENT_NAME, 64),
    at: time(doc, 'at'),
    actorUri: str(doc, 'actorUri', IDENTITY_URI, 300),
    details: readDetails(obj(doc, 'details')),
  };
}

/** Lines of canonical JSON, each ending in LF; `sequence` must run 1, 2, 3, ... and times must not go back. */
export function encodeCustodyEvents(events: readonly CustodyEvent[]): Uint8Array {
  const lines = events.map((event) => Buffer.from(encodeCanonical({ ...event, type: DOC_TYPE.custodyEvent })));
  const bytes = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
  parseCustodyEvents(bytes);
  return bytes;
}

/** Parses and checks order; each failure names the line. */
export function parseCustodyEvents(bytes: Uint8Array): CustodyEvent[] {
  const text = Buffer.from(bytes);
  if (text.length === 0 || text[text.length - 1] !== 0x0a) throw new FormatError('must end with a newline');
  const lines: Buffer[] = [];
  for (let start = 0; start < text.length;) {
    const end = text.indexOf(0x0a, start);
    lines.push(text.subarray(start, end));
    start = end + 1;
  }
  if (lines.length > MAX_EVENTS) throw new FormatError(`more than ${MAX_EVENTS} events`);
  const events: CustodyEvent[] = [];
  lines.forEach((line, i) => {
    try {
      const event = readEvent(parseCanonical(line));
      if (event.sequence !== i + 1) throw new FormatError(`"sequence" is ${event.sequence}, want ${i + 1}`);
      const previous = events[i - 1];
      if (previous && isTime(previous.at) && event.at < previous.at) {
        throw new FormatError(`"at" ${event.at} is before the previous event's ${previous.at}`);
      }
      events.push(event);
    } catch (error) {
      if (error instanceof FormatError) throw new FormatError(`line ${i + 1}: ${error.message}`);
      throw error;
    }
  });
  return events;
}
