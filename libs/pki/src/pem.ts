/** PEM helpers; kept local so labels are exactly what OpenSSL expects (RFC 7468). */

/** RFC 7468 label for CRLs. @peculiar/x509 writes "CRL", which OpenSSL (and so Node's `crl` option) rejects. */
export const CRL_PEM_LABEL = 'X509 CRL';

export function toPem(der: Uint8Array | ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every PEM block with the given label, in order (used for leaf + chain files). */
export function pemBlocks(text: string, label: string): string[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g');
  return (text.match(pattern) ?? []).map((block) => `${block}\n`);
}
