import { existsSync, readFileSync } from 'node:fs';
import { type CaLevel, crlPath, loadDomainCa, readRequiredFile } from './ca-files.js';
import { type CrlEntry, type RevocationReason, issueCrl, parseCrl } from './crl.js';
import type { CaMaterial } from './dev-ca.js';
import { writeFileAtomic } from './fs-write.js';
import { DOMAINS, type Domain, isDomain } from './identity-uri.js';
import { readIdentityManifest, writeIdentityManifest } from './manifest.js';
import { pkiLayout } from './pki-layout.js';
import { PkiError, PkiErrorCode } from './pki-error.js';
import { normalizeSerial } from './serial.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long freshly signed dev CRLs stay valid when no config is at hand (matches pki.config.json). */
export const DEFAULT_CRL_DAYS = 30;

/**
 * thisUpdate of a CRL signed at `now`: a minute early so that verifiers with a slightly slow
 * clock do not reject it as not yet valid. Revocation dates use the same instant, so that no
 * entry appears to lie after the CRL that lists it.
 */
export function crlIssueTime(now: Date): Date {
  return new Date(now.getTime() - 60_000);
}

export interface CrlWriteOptions {
  readonly now?: Date;
  readonly crlDays?: number;
}

/** Signs and writes a CRL for `ca`; the CRL number must grow with every re-signing (RFC 5280 5.2.3). */
export async function writeCrl(
  path: string,
  ca: CaMaterial,
  entries: readonly CrlEntry[],
  crlNumber: bigint,
  options: CrlWriteOptions = {},
): Promise<void> {
  const now = options.now ?? new Date();
  const pem = await issueCrl({
    issuer: ca,
    entries,
    crlNumber,
    thisUpdate: crlIssueTime(now),
    nextUpdate: new Date(now.getTime() + (options.crlDays ?? DEFAULT_CRL_DAYS) * DAY_MS),
  });
  writeFileAtomic(path, pem);
}

function assertDomain(domain: string): asserts domain is Domain {
  if (!isDomain(domain)) {
    throw new PkiError(PkiErrorCode.BAD_REQUEST, `Unknown trust domain ${JSON.stringify(domain)}; expected one of ${DOMAINS.join(', ')}.`);
  }
}

export interface RevokeOptions extends CrlWriteOptions {
  readonly reason?: RevocationReason;
}

/**
 * Puts `serial` on the domain's intermediate CRL (the CA that issues all end-entity
 * certificates of that domain) and re-signs it. Trust stores pick the change up on reload();
 * TLS contexts built with crlsPem() must be rebuilt (server.setSecureContext) to see it.
 * @returns false if the serial was already revoked (the CRL is left untouched)
 */
export async function revokeCertificate(outDir: string, domain: Domain, serial: string, options: RevokeOptions = {}): Promise<boolean> {
  assertDomain(domain);
  const canonical = normalizeSerial(serial);
  const ca = loadDomainCa(outDir, domain, 'intermediate');
  const path = crlPath(outDir, domain, 'intermediate');
  const current = parseCrl(readRequiredFile(path), ca.certPem, path);
  if (current.revokedSerials.has(canonical)) return false;
  const entry: CrlEntry = { serial: canonical, revokedAt: crlIssueTime(options.now ?? new Date()), ...(options.reason ? { reason: options.reason } : {}) };
  await writeCrl(path, ca, [...current.entries, entry], (current.crlNumber ?? 0n) + 1n, options);
  markRevokedInManifest(outDir, canonical);
  return true;
}

function markRevokedInManifest(outDir: string, serial: string): void {
  if (!existsSync(pkiLayout.manifest(outDir))) return;
  const manifest = readIdentityManifest(outDir);
  if (!manifest.identities.some((entry) => entry.serial === serial)) return;
  writeIdentityManifest(
    outDir,
    manifest.identities.map((entry) => (entry.serial === serial ? { ...entry, revoked: true } : entry)),
  );
}

export interface RefreshCrlsOptions extends CrlWriteOptions {
  /** Re-sign when fewer than this many days remain before nextUpdate. */
  readonly minRemainingDays?: number;
}

/**
 * Re-signs (same entries, next CRL number) every CRL that expires soon. An expired CRL makes
 * OpenSSL refuse every handshake of its domain, and dev PKIs live far longer than 30 days.
 * @returns the CRL files that were re-signed
 */
export async function refreshCrls(outDir: string, options: RefreshCrlsOptions = {}): Promise<string[]> {
  const now = options.now ?? new Date();
  const threshold = now.getTime() + (options.minRemainingDays ?? 7) * DAY_MS;
  const refreshed: string[] = [];
  for (const domain of DOMAINS) {
    for (const level of ['root', 'intermediate'] as const satisfies readonly CaLevel[]) {
      const path = crlPath(outDir, domain, level);
      if (!existsSync(path)) continue;
      const ca = loadDomainCa(outDir, domain, level);
      const current = parseCrl(readFileSync(path, 'utf8'), ca.certPem, path);
      if (current.nextUpdate && current.nextUpdate.getTime() > threshold) continue;
      await writeCrl(path, ca, current.entries, (current.crlNumber ?? 0n) + 1n, { ...options, now });
      refreshed.push(path);
    }
  }
  return refreshed;
}
