// Canonical JSON documents and the value formats shared by every EVX file: what is written is exactly what is
// hashed and signed, and a reader accepts only the one canonical spelling, so no two byte strings mean the same.
import { createHash, hash } from 'node:crypto';
import { canonicalBytes } from '#evx/canonical-json';

/** A document or value that does not follow docs/package-format.md; the message says what is wrong. */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

export type JsonRecord = Readonly<Record<string, unknown>>;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeCanonical(value: JsonRecord): Uint8Array {
  return canonicalBytes(value);
}

/** Parses a canonical JSON object: strict UTF-8, valid JSON, an object, and byte-identical to its RFC 8785 form. */
export function parseCanonical(bytes: Uint8Array): JsonRecord {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new FormatError('not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FormatError(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('not a JSON object');
  if (!Buffer.from(canonicalBytes(value)).equals(Buffer.from(bytes))) {
    throw new FormatError('not in canonical form (RFC 8785: sorted members, no whitespace, no duplicate members)');
  }
  return value as JsonRecord;
}

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  // One part (almost every call): the one-shot hash, without a Hash object (crypto.hash, Node >= 20.12).
  if (parts.length === 1) return hash('sha256', parts[0] as Uint8Array, 'buffer');
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
}

export function sha256Hex(...parts: readonly Uint8Array[]): string {
  if (parts.length === 1) return hash('sha256', parts[0] as Uint8Array, 'hex');
  return Buffer.from(sha256(...parts)).toString('hex');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex32(value: string): Uint8Array {
  return Buffer.from(value, 'hex');
}

/** Timestamps are UTC with exactly three fractional digits, e.g. 2026-11-20T08:15:00.000Z (Date#toISOString). */
const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX32_PATTERN = /^[0-9a-f]{64}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function formatTime(date: Date): string {
  const text = Number.isNaN(date.getTime()) ? '' : date.toISOString();
  if (!TIME_PATTERN.test(text)) throw new FormatError(`time ${String(date)} is not between years 0000 and 9999`);
  return text;
}

export function isTime(value: unknown): value is string {
  if (typeof value !== 'string' || !TIME_PATTERN.test(value)) return false;
  // A well-shaped time that is no time at all (hour 30, month 13) makes an invalid Date, whose toISOString throws.
  const time = new Date(value);
  return !Number.isNaN(time.getTime()) && time.toISOString() === value;
}

export function isHex32(value: unknown): value is string {
  return typeof value === 'string' && HEX32_PATTERN.test(value);
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** Standard base64 with padding (RFC 4648 §4) whose unused bits are zero, so each byte string has one spelling. */
export function decodeBase64(value: string): Uint8Array | undefined {
  // Node's decoder skips what is not base64 (and takes the URL-safe alphabet and missing padding): only a value
  // that re-encodes to itself is the one canonical spelling, which also rules out every such character.
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
