import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type CrlInfo, parseCrl } from './crl.js';
import { DOMAINS, type Domain } from './identity-uri.js';
import { pkiLayout } from './pki-layout.js';
import { PkiError, PkiErrorCode } from './pki-error.js';
import { normalizeSerial } from './serial.js';
import { x509 } from './x509-runtime.js';

/** A trusted CA certificate with the facts identity checks need, parsed once at load. */
export interface TrustedCa {
  readonly pem: string;
  readonly certificate: X509Certificate;
  readonly subject: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface DomainCas {
  readonly root: TrustedCa;
  readonly intermediate: TrustedCa;
}

/** PEM material of one trust domain, for stores not backed by a generated folder. */
export interface DomainTrustPem {
  readonly root: string;
  readonly intermediate: string;
  /** CRLs issued by the intermediate and/or the root; matched to their issuer automatically. */
  readonly crls?: readonly string[];
}

export interface TrustStoreOptions {
  /**
   * identityFromCertificate() calls refreshIfDue(), which stats the CRL files at most this often
   * (ms), so a revocation is honoured without a restart. 0 disables it. Default 1000.
   */
  readonly crlRecheckMs?: number;
}

export type RevocationStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly revokedAt: Date }
  | { readonly status: 'unknown'; readonly reason: string };

type CrlLevel = 'root' | 'intermediate';

/** One CRL as currently known; `error` wins over `info` so a bad CRL file fails closed. */
interface CrlSlot {
  info?: CrlInfo;
  error?: string;
  readonly path?: string;
  stamp?: string;
}

interface DomainTrust extends DomainCas {
  readonly crls: Record<CrlLevel, CrlSlot>;
}

function trustedCa(pem: string, source: string): TrustedCa {
  try {
    const certificate = new X509Certificate(pem);
    const parsed = new x509.X509Certificate(pem);
    return {
      pem: certificate.toString(),
      certificate,
      subject: parsed.subject,
      serial: normalizeSerial(certificate.serialNumber),
      notBefore: parsed.notBefore,
      notAfter: parsed.notAfter,
    };
  } catch (error) {
    throw new PkiError(PkiErrorCode.BAD_TRUST_MATERIAL, `${source} is not a valid PEM certificate: ${(error as Error).message}`);
  }
}

function checkChain(domain: Domain, root: TrustedCa, intermediate: TrustedCa): void {
  const rootOk = root.certificate.ca && root.certificate.checkIssued(root.certificate) && root.certificate.verify(root.certificate.publicKey);
  const intermediateOk =
    intermediate.certificate.ca &&
    intermediate.certificate.checkIssued(root.certificate) &&
    intermediate.certificate.verify(root.certificate.publicKey);
  if (!rootOk || !intermediateOk) {
    throw new PkiError(
      PkiErrorCode.BAD_TRUST_MATERIAL,
      `The ${domain} trust material is inconsistent: the root must be a self-signed CA and the intermediate a CA issued by it. Regenerate with npm run certs:dev.`,
    );
  }
}

/** Cheap change detector: rename-on-write (writeFileAtomic) always changes the inode. */
function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/**
 * The trust anchors of the EVX trust domains: root and intermediate CA per domain, and their CRLs.
 * One store serves identity checks (identityFromCertificate) and TLS configuration (rootsPem,
 * crlsPem). CA certificates are fixed for the life of the store; CRLs can be reloaded.
 */
export class TrustStore {
  private lastCheck = Date.now();

  private constructor(
    private readonly trust: ReadonlyMap<Domain, DomainTrust>,
    private readonly crlRecheckMs: number,
    readonly source: string,
  ) {}

  /**
   * Loads every domain present in a generated PKI folder (certs-dev/out): <domain>/root.crt,
   * ca.crt, and the CRLs root.crl and ca.crl. A missing CRL is not an error here, but every
   * certificate of that domain is then refused with REVOCATION_UNKNOWN until it appears.
   */
  static fromDirectory(dir: string, options: TrustStoreOptions = {}): TrustStore {
    const root = resolve(dir);
    const trust = new Map<Domain, DomainTrust>();
    for (const domain of DOMAINS) {
      const rootPath = pkiLayout.rootCert(root, domain);
      if (!existsSync(rootPath)) continue;
      const caPath = pkiLayout.caCert(root, domain);
      if (!existsSync(caPath)) {
        throw new PkiError(PkiErrorCode.MISSING_FILE, `${caPath} is missing although ${rootPath} exists; regenerate with npm run certs:dev.`);
      }
      const cas = { root: trustedCa(readFileSync(rootPath, 'utf8'), rootPath), intermediate: trustedCa(readFileSync(caPath, 'utf8'), caPath) };
      checkChain(domain, cas.root, cas.intermediate);
      const entry: DomainTrust = {
        ...cas,
        crls: { root: { path: pkiLayout.rootCrl(root, domain) }, intermediate: { path: pkiLayout.caCrl(root, domain) } },
      };
      for (const level of ['root', 'intermediate'] as const) loadCrlSlot(entry, level);
      trust.set(domain, entry);
    }
    if (trust.size === 0) {
      throw new PkiError(PkiErrorCode.MISSING_FILE, `No trust material in ${root} (expected <domain>/root.crt); generate it with npm run certs:dev.`);
    }
    return new TrustStore(trust, options.crlRecheckMs ?? 1000, root);
  }

  /** A store from PEM strings (e.g. trust anchors shipped to an adapter). Never reloads. */
  static fromPem(material: Partial<Record<Domain, DomainTrustPem>>): TrustStore {
    const trust = new Map<Domain, DomainTrust>();
    for (const domain of DOMAINS) {
      const pem = material[domain];
      if (!pem) continue;
      const cas = { root: trustedCa(pem.root, `${domain} root`), intermediate: trustedCa(pem.intermediate, `${domain} intermediate`) };
      checkChain(domain, cas.root, cas.intermediate);
      const entry: DomainTrust = { ...cas, crls: { root: {}, intermediate: {} } };
      for (const [index, crl] of (pem.crls ?? []).entries()) {
        const level = matchCrlIssuer(entry, crl, `${domain} CRL #${index + 1}`);
        entry.crls[level] = { info: parseCrl(crl, entry[level].pem, `${domain} ${level} CRL`) };
      }
      trust.set(domain, entry);
    }
    return new TrustStore(trust, 0, 'PEM');
  }

  /** Domains this store has anchors for. */
  get domains(): Domain[] {
    return [...this.trust.keys()];
  }

  has(domain: Domain): boolean {
    return this.trust.has(domain);
  }

  cas(domain: Domain): DomainCas | undefined {
    return this.trust.get(domain);
  }

  private require(domain: Domain): DomainTrust {
    const entry = this.trust.get(domain);
    if (!entry) {
      throw new PkiError(PkiErrorCode.BAD_TRUST_MATERIAL, `The trust store (${this.source}) has no anchors for domain ${domain}.`);
    }
    return entry;
  }

  /**
   * PEM bundle for a TLS `ca` option (Node https/tls, grpc-js rootCerts). Roots and
   * intermediates: with the intermediate in the store OpenSSL can verify peers that send only
   * their leaf; it still builds the path to the self-signed root, so trust ends at the root.
   */
  rootsPem(domains: readonly Domain[]): string {
    return domains.map((domain) => this.require(domain)).map((entry) => entry.root.pem + entry.intermediate.pem).join('');
  }

  /**
   * CRLs for Node's TLS `crl` option, one PEM string per CRL (Node reads only the first CRL of a
   * string). Includes the root CRLs: `crl` makes OpenSSL check every certificate of the chain.
   */
  crlsPem(domains: readonly Domain[]): string[] {
    return domains.flatMap((domain) => {
      const { crls } = this.require(domain);
      return [crls.intermediate.info?.pem, crls.root.info?.pem].filter((pem): pem is string => pem !== undefined);
    });
  }

  /** Whether the domain's intermediate CRL lists this serial (any hex spelling). */
  isRevoked(domain: Domain, serialHex: string): boolean {
    return this.trust.get(domain)?.crls.intermediate.info?.revokedSerials.has(normalizeSerial(serialHex)) ?? false;
  }

  /**
   * Revocation status for a certificate issued by the domain's intermediate (level
   * "intermediate") or for the intermediate itself (level "root"). Fails closed: no CRL, an
   * invalid CRL or an expired one is "unknown", never "good".
   */
  revocationStatus(domain: Domain, serialHex: string, now: Date = new Date(), level: CrlLevel = 'intermediate'): RevocationStatus {
    const entry = this.trust.get(domain);
    const slot = entry?.crls[level];
    const name = `${domain} ${level === 'root' ? 'root' : 'intermediate'} CRL`;
    if (!slot) return { status: 'unknown', reason: `the trust store has no ${domain} anchors` };
    if (slot.error) return { status: 'unknown', reason: slot.error };
    if (!slot.info) return { status: 'unknown', reason: `no ${name} is loaded` };
    const { nextUpdate } = slot.info;
    if (nextUpdate && now.getTime() > nextUpdate.getTime()) {
      return { status: 'unknown', reason: `the ${name} expired at ${nextUpdate.toISOString()}` };
    }
    const serial = normalizeSerial(serialHex);
    const revoked = slot.info.entries.find((crlEntry) => crlEntry.serial === serial);
    return revoked ? { status: 'revoked', revokedAt: revoked.revokedAt } : { status: 'good' };
  }

  /**
   * Re-reads CRL files whose inode, size or mtime changed (a stat per file otherwise).
   * @returns the domains whose CRLs changed; rebuild TLS contexts for those (crlsPem).
   * @throws PkiError INVALID_CRL if a changed file is not a valid CRL of its CA; that domain
   *   then fails closed (REVOCATION_UNKNOWN) until the file is fixed.
   */
  reload(): Domain[] {
    this.lastCheck = Date.now();
    const changed: Domain[] = [];
    const errors: string[] = [];
    for (const [domain, entry] of this.trust) {
      let domainChanged = false;
      for (const level of ['root', 'intermediate'] as const) {
        const slot = entry.crls[level];
        if (!slot.path || fileStamp(slot.path) === slot.stamp) continue;
        loadCrlSlot(entry, level);
        domainChanged = true;
        if (slot.error) errors.push(slot.error);
      }
      if (domainChanged) changed.push(domain);
    }
    if (errors.length > 0) throw new PkiError(PkiErrorCode.INVALID_CRL, errors.join('; '));
    return changed;
  }

  /** reload() if crlRecheckMs has passed; errors are kept in the store and fail closed. */
  refreshIfDue(): void {
    if (this.crlRecheckMs <= 0 || Date.now() - this.lastCheck < this.crlRecheckMs) return;
    try {
      this.reload();
    } catch {
      // Recorded per CRL slot; revocationStatus() reports it as "unknown".
    }
  }
}

function loadCrlSlot(entry: DomainTrust, level: CrlLevel): void {
  const slot = entry.crls[level];
  if (!slot.path) return;
  slot.stamp = fileStamp(slot.path);
  if (slot.stamp === 'missing') {
    slot.info = undefined;
    slot.error = `${slot.path} is missing`;
    return;
  }
  try {
    slot.info = parseCrl(readFileSync(slot.path, 'utf8'), entry[level].pem, slot.path);
    slot.error = undefined;
  } catch (error) {
    slot.error = (error as Error).message;
  }
}

function matchCrlIssuer(entry: DomainTrust, crlPem: string, source: string): CrlLevel {
  let issuer: string;
  try {
    issuer = new x509.X509Crl(crlPem).issuer;
  } catch (error) {
    throw new PkiError(PkiErrorCode.INVALID_CRL, `${source} is not a parseable X.509 CRL: ${(error as Error).message}`);
  }
  if (issuer === entry.intermediate.subject) return 'intermediate';
  if (issuer === entry.root.subject) return 'root';
  throw new PkiError(PkiErrorCode.BAD_TRUST_MATERIAL, `${source} was issued by "${issuer}", which is neither CA of its domain.`);
}
