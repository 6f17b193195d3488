// Decoding of text tag files in the encoding bagit.txt declares (RFC 8493 §2.1.1, §2.2.4).
import type { IssueList } from './bag.issue.js';

export type TagDecoder = (bytes: Buffer) => string;

const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'iso_8859-1', 'latin1', 'latin-1', 'l1']);

/**
 * A strict decoder for an encoding label, or undefined when this runtime cannot decode it. ISO-8859-1 is decoded
 * as itself: the WHATWG TextDecoder would silently read it as windows-1252.
 */
export function tagDecoder(encoding: string): TagDecoder | undefined {
  const label = encoding.trim().toLowerCase();
  if (LATIN1.has(label)) return (bytes) => bytes.toString('latin1');
  if (label === 'utf-16') {
    // RFC 2781: the BOM decides; without one the text is big-endian.
    return (bytes) => {
      const le = bytes[0] === 0xff && bytes[1] === 0xfe;
      const be = bytes[0] === 0xfe && bytes[1] === 0xff;
      const body = le || be ? bytes.subarray(2) : bytes;
      return new TextDecoder(le ? 'utf-16le' : 'utf-16be', { fatal: true, ignoreBOM: true }).decode(body);
    };
  }
  try {
    // ignoreBOM false: a BOM the encoding needs (UTF-16LE/BE) is consumed rather than read as U+FEFF.
    const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
    return (bytes) => decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export interface TagTextContext {
  readonly encoding: string;
  readonly decode: TagDecoder;
  /** Bag is v1.0: RFC rules that were only recommendations before are enforced as errors. */
  readonly v1: boolean;
}

/** Decodes one tag file; undefined (with an error recorded) when its bytes are not valid in the encoding. */
export function decodeTagFile(bytes: Buffer, file: string, ctx: TagTextContext, issues: IssueList): string | undefined {
  let body = bytes;
  if (isUtf8(ctx.encoding) && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    issues.strict(ctx.v1, 'bom', 'UTF-8 tag files must not start with a byte-order mark', { file });
    body = body.subarray(3);
  }
  try {
    return ctx.decode(body);
  } catch {
    issues.error('text-invalid', `not valid ${ctx.encoding} text`, { file });
    return undefined;
  }
}

export function isUtf8(encoding: string): boolean {
  return /^utf-?8$/i.test(encoding.trim());
}

/** Lines split at LF, CR or CRLF (all three are allowed); a final line ending does not start another line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
