// Small, strict readers for the members of EVX documents. Each throws FormatError naming the member, so a verifier
// can say exactly what is wrong with a file.
import { FormatError, isHex32, isTime, isUuid, type JsonRecord } from './canonical.util.js';

/** Refuses missing members and, unless the document is open to extension, members the format does not define. */
export function expectMembers(doc: JsonRecord, required: readonly string[], open = false): void {
  for (const name of required) {
    if (!(name in doc)) throw new FormatError(`member "${name}" is missing`);
  }
  if (open) return;
  const unknown = Object.keys(doc).filter((name) => !required.includes(name));
  if (unknown.length > 0) throw new FormatError(`unknown member "${unknown[0]}"`);
}

export function expectType(doc: JsonRecord, type: string): void {
  if (doc.type !== type) throw new FormatError(`"type" is ${JSON.stringify(doc.type)}, want "${type}"`);
}

export function str(doc: JsonRecord, name: string, pattern?: RegExp, maxLength = 4000): string {
  const value = doc[name];
  if (typeof value !== 'string') throw new FormatError(`"${name}" must be a string`);
  if (value.length > maxLength) throw new FormatError(`"${name}" is longer than ${maxLength} characters`);
  if (pattern && !pattern.test(value))
    throw new FormatError(`"${name}" ${JSON.stringify(value)} does not match ${pattern}`);
  return value;
}

export function int(doc: JsonRecord, name: string, min: number, max: number): number {
  const value = doc[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new FormatError(`"${name}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function hex32(doc: JsonRecord, name: string): string {
  const value = doc[name];
  if (!isHex32(value)) throw new FormatError(`"${name}" must be 64 lowercase hex digits (a SHA-256)`);
  return value;
}

export function time(doc: JsonRecord, name: string): string {
  const value = doc[name];
  if (!isTime(value)) throw new FormatError(`"${name}" must be a UTC time like 2026-11-20T08:15:00.000Z`);
  return value;
}

export function uuid(doc: JsonRecord, name: string): string {
  const value = doc[name];
  if (!isUuid(value)) throw new FormatError(`"${name}" must be a lowercase UUID`);
  return value;
}

export function obj(doc: JsonRecord, name: string): JsonRecord {
  const value = doc[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`"${name}" must be an object`);
  }
  return value as JsonRecord;
}

export function arr(doc: JsonRecord, name: string, maxLength: number): readonly unknown[] {
  const value = doc[name];
  if (!Array.isArray(value)) throw new FormatError(`"${name}" must be an array`);
  if (value.length > maxLength) throw new FormatError(`"${name}" has more than ${maxLength} elements`);
  return value;
}

/** Within an array: element `index` as an object, for messages like `"approvals"[1]`. */
export function element(list: readonly unknown[], name: string, index: number): JsonRecord {
  const value = list[index];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`"${name}"[${index}] must be an object`);
  }
  return value as JsonRecord;
}

/** An identity segment (agency, provider, actor id): what `evx://` URIs allow. */
export const SEGMENT = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** An `evx://` identity URI; whether it names the right kind of actor is checked against the signer's certificate. */
export const IDENTITY_URI = /^evx:\/\/[a-z0-9-]+(\/[a-z0-9-]+){1,3}$/;
