// Strict codecs shared by the formats. Node's Buffer base64 decoder silently
// skips invalid characters and ignores non-zero padding bits, so a tampered
// signature line could decode to the same bytes; we accept canonical standard
// base64 (RFC 4648 §4) only.

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes canonical standard base64, or returns undefined. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches non-zero bits in the last character before padding.
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly; strings are checked for lone surrogates instead. */
export function decodeUtf8(input: string | Uint8Array): string | undefined {
  if (typeof input === 'string') return /\p{Surrogate}/u.test(input) ? undefined : input;
  try {
    return UTF8.decode(input);
  } catch {
    return undefined;
  }
}

/** Index of the first ASCII control character other than newline, or -1. */
export function findControlChar(text: string): number {
  return text.search(/[\u0000-\u0009\u000B-\u001F]/);
}

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses a canonical non-negative decimal (no sign, no leading zeros).
 * Returns a reason string on failure so each format can wrap it in its error.
 */
export function parseDecimal(text: string, what: string): number | string {
  if (!DECIMAL_RE.test(text)) {
    return `${what} ${JSON.stringify(text)} is not a decimal number without leading zeros`;
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    return `${what} ${text} exceeds Number.MAX_SAFE_INTEGER (2^53-1)`;
  }
  return n;
}

export function isSafeCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A uint32 key ID as 8 lowercase hex digits, as in verifier keys. */
export function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
