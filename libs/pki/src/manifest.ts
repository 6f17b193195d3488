import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './fs-write.js';
import type { ApproverRole, Domain, IdentityKind } from './identity-uri.js';
import { pkiLayout } from './pki-layout.js';
import { PkiError, PkiErrorCode } from './pki-error.js';

/** One issued actor or service certificate, as listed in out/identities.json. */
export interface IdentityManifestEntry {
  /** File name stem, e.g. "police-hn.inv-1" or "vault"; unique in the manifest. */
  readonly name: string;
  readonly uri: string;
  readonly domain: Domain;
  readonly kind: IdentityKind;
  readonly role?: ApproverRole;
  /** Paths relative to the PKI folder; the .crt holds leaf + intermediate. */
  readonly cert: string;
  readonly key: string;
  /** Canonical serial (normalizeSerial). */
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Set once the serial has been put on its domain's CRL. */
  readonly revoked?: boolean;
}

export interface IdentityManifest {
  readonly version: 1;
  readonly identities: readonly IdentityManifestEntry[];
}

export function readIdentityManifest(outDir: string): IdentityManifest {
  const path = pkiLayout.manifest(outDir);
  if (!existsSync(path)) {
    throw new PkiError(PkiErrorCode.MISSING_FILE, `${path} does not exist: generate the dev PKI first (npm run certs:dev).`);
  }
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<IdentityManifest>;
  if (parsed.version !== 1 || !Array.isArray(parsed.identities)) {
    throw new PkiError(PkiErrorCode.BAD_TRUST_MATERIAL, `${path} is not an EVX identity manifest (version 1); regenerate it with npm run certs:dev.`);
  }
  return { version: 1, identities: parsed.identities };
}

export function writeIdentityManifest(outDir: string, identities: readonly IdentityManifestEntry[]): void {
  const manifest: IdentityManifest = { version: 1, identities };
  writeFileAtomic(pkiLayout.manifest(outDir), `${JSON.stringify(manifest, null, 2)}\n`);
}
