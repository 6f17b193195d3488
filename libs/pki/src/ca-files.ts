import { existsSync, readFileSync } from 'node:fs';
import { type CaMaterial, loadCaMaterial } from './dev-ca.js';
import type { Domain } from './identity-uri.js';
import { pkiLayout } from './pki-layout.js';
import { PkiError, PkiErrorCode } from './pki-error.js';

export type CaLevel = 'root' | 'intermediate';

export function readRequiredFile(path: string): string {
  if (!existsSync(path)) {
    throw new PkiError(PkiErrorCode.MISSING_FILE, `${path} is missing: generate the dev PKI first (npm run certs:dev).`);
  }
  return readFileSync(path, 'utf8');
}

/** A domain's CA certificate and key from a generated PKI folder. */
export function loadDomainCa(outDir: string, domain: Domain, level: CaLevel): CaMaterial {
  const certPath = level === 'root' ? pkiLayout.rootCert(outDir, domain) : pkiLayout.caCert(outDir, domain);
  const keyPath = level === 'root' ? pkiLayout.rootKey(outDir, domain) : pkiLayout.caKey(outDir, domain);
  return loadCaMaterial(readRequiredFile(certPath), readRequiredFile(keyPath));
}

export function crlPath(outDir: string, domain: Domain, level: CaLevel): string {
  return level === 'root' ? pkiLayout.rootCrl(outDir, domain) : pkiLayout.caCrl(outDir, domain);
}
