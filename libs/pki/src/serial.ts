import { randomBytes } from 'node:crypto';

/**
 * A fresh certificate serial: 16 random bytes (RFC 5280 asks for at most 20 octets and CAs use
 * >= 64 bits of entropy). The top bit is cleared so the INTEGER is positive, and the next bit is
 * set so the first octet is never zero: the DER encoding is then always exactly 16 octets and the
 * hex form always 32 characters, with no sign or padding byte to disagree about.
 */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/**
 * Canonical serial form used everywhere in EVX (Identity.serialNumber, identities.json, CRL
 * lookups): lowercase hex of the integer value, without separators and without leading zeros
 * ("0" for zero). Tools disagree on the raw form (Node prints uppercase, OpenSSL adds colons,
 * some keep a 00 sign octet), so every serial is passed through this before it is compared.
 */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) {
    throw new TypeError(`Serial number ${JSON.stringify(serial)} is not hexadecimal`);
  }
  const stripped = hex.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}
