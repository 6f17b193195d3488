/** Just enough DER to reach the signed part of a CRL and to encode a CRL number; no general parser. */

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number): Tlv {
  if (offset + 2 > der.length) throw new RangeError('DER: truncated header');
  const tag = der[offset];
  let length = der[offset + 1];
  let contentStart = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new RangeError('DER: unsupported length encoding');
    if (contentStart + octets > der.length) throw new RangeError('DER: truncated length');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + der[contentStart + i];
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > der.length) throw new RangeError('DER: truncated content');
  return { tag, start: offset, contentStart, end };
}

/**
 * The complete first element inside the outer SEQUENCE. For a CertificateList this is the
 * tbsCertList exactly as signed, which must be verified byte for byte, never re-encoded.
 */
export function firstSequenceElement(der: Uint8Array): Uint8Array {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new RangeError('DER: expected a SEQUENCE');
  const inner = readTlv(der, outer.contentStart);
  return der.subarray(inner.start, inner.end);
}

/** DER INTEGER for a non-negative value (used for the CRL number extension). */
export function encodeDerInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('DER: negative integers are not needed here');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  // A leading octet >= 0x80 would read as negative, so pad with a zero octet.
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const content = Buffer.from(hex, 'hex');
  if (content.length > 127) throw new RangeError('DER: integer too large');
  return Uint8Array.from([0x02, content.length, ...content]);
}

export function decodeDerInteger(der: Uint8Array): bigint {
  const tlv = readTlv(der, 0);
  if (tlv.tag !== 0x02) throw new RangeError('DER: expected an INTEGER');
  const content = der.subarray(tlv.contentStart, tlv.end);
  return content.length === 0 ? 0n : BigInt(`0x${Buffer.from(content).toString('hex')}`);
}
