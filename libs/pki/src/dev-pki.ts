import { generateKeyPairSync } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { leafValidity, writeActorCertificate } from './actor-issuer.js';
import { resolveActor } from './actor-request.js';
import type { CrlEntry } from './crl.js';
import { type CaMaterial, createIntermediateCa, createRootCa, issueLeafCertificate } from './dev-ca.js';
import { writeFileAtomic, writePrivateKeyFile } from './fs-write.js';
import { DOMAINS, type Domain, formatIdentityUri } from './identity-uri.js';
import { generateRsaKeyPair } from './key-material.js';
import { type IdentityManifestEntry, readIdentityManifest, writeIdentityManifest } from './manifest.js';
import { DEFAULT_PKI_CONFIG, type PkiConfig, loadPkiConfig } from './pki-config.js';
import { pkiLayout } from './pki-layout.js';
import { crlIssueTime, refreshCrls, writeCrl } from './revocation.js';
import { normalizeSerial } from './serial.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** CAs start a week back so that every backdated or deliberately expired leaf nests inside them. */
const CA_BACKDATE_MS = 7 * DAY_MS;

export interface GenerateDevPkiOptions {
  /** Output folder, e.g. certs-dev/out; created if missing. */
  readonly outDir: string;
  /** A config object or the path of a pki.config.json; defaults to DEFAULT_PKI_CONFIG. */
  readonly config?: PkiConfig | string;
  readonly now?: Date;
}

export interface DevPkiSummary {
  readonly outDir: string;
  readonly generated: boolean;
  readonly identities: readonly IdentityManifestEntry[];
  /** CRL files re-signed because they were close to expiry (ensureDevPki only). */
  readonly refreshedCrls: readonly string[];
  readonly durationMs: number;
}

function resolveConfig(config: PkiConfig | string | undefined): PkiConfig {
  if (config === undefined) return DEFAULT_PKI_CONFIG;
  return typeof config === 'string' ? loadPkiConfig(config) : config;
}

/** Removes only what the generator writes, so unrelated files placed in the folder survive. */
function removeGenerated(outDir: string): void {
  const generated = [
    ...DOMAINS.map((domain) => pkiLayout.domainDir(outDir, domain)),
    pkiLayout.servicesDir(outDir),
    pkiLayout.actorsDir(outDir),
    pkiLayout.logDir(outDir),
    pkiLayout.manifest(outDir),
  ];
  for (const path of generated) rmSync(path, { recursive: true, force: true });
}

/** Ed25519 key of the vault's transparency log (C2SP signed-note checkpoints). */
function writeLogKey(outDir: string): void {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writePrivateKeyFile(pkiLayout.logKey(outDir), privateKey);
  writeFileAtomic(pkiLayout.logPub(outDir), publicKey);
}

/**
 * (Re)creates the whole dev PKI in `outDir`: per trust domain a root and an intermediate CA with
 * their CRLs, the service certificates, the configured actors, the transparency-log key and
 * identities.json. Existing generated files are replaced.
 */
export async function generateDevPki(options: GenerateDevPkiOptions): Promise<DevPkiSummary> {
  const started = performance.now();
  const config = resolveConfig(options.config);
  const now = options.now ?? new Date();
  const outDir = resolve(options.outDir);
  const actors = config.actors.map((actor) => ({ actor, resolved: resolveActor(actor) }));
  removeGenerated(outDir);

  // All keys up front and concurrently: key generation dominates the run time and runs on the
  // libuv thread pool, while certificate signing is synchronous forge code.
  const keyCount = DOMAINS.length * 2 + config.services.names.length + actors.length;
  const keys = await Promise.all(Array.from({ length: keyCount }, () => generateRsaKeyPair(config.keyBits)));
  const takeKey = () => {
    const key = keys.pop();
    if (!key) throw new Error('internal: key count mismatch');
    return key;
  };

  const cas = new Map<Domain, { root: CaMaterial; intermediate: CaMaterial }>();
  const caStart = new Date(now.getTime() - CA_BACKDATE_MS);
  for (const domain of DOMAINS) {
    const root = createRootCa(domain, takeKey(), {
      notBefore: caStart,
      notAfter: new Date(now.getTime() + config.validity.rootDays * DAY_MS),
    });
    const intermediate = createIntermediateCa(domain, root, takeKey(), {
      notBefore: caStart,
      notAfter: new Date(now.getTime() + config.validity.intermediateDays * DAY_MS),
    });
    writeFileAtomic(pkiLayout.rootCert(outDir, domain), root.certPem);
    writePrivateKeyFile(pkiLayout.rootKey(outDir, domain), root.keyPem);
    writeFileAtomic(pkiLayout.caCert(outDir, domain), intermediate.certPem);
    writePrivateKeyFile(pkiLayout.caKey(outDir, domain), intermediate.keyPem);
    cas.set(domain, { root, intermediate });
  }
  const caOf = (domain: Domain) => {
    const ca = cas.get(domain);
    if (!ca) throw new Error(`internal: no CA for ${domain}`);
    return ca;
  };

  const identities: IdentityManifestEntry[] = [];
  const serviceCa = caOf('service').intermediate;
  for (const name of config.services.names) {
    const keyPair = takeKey();
    const uri = formatIdentityUri({ domain: 'service', kind: 'service', name });
    const issued = issueLeafCertificate({
      issuer: serviceCa,
      publicKeyPem: keyPair.publicKeyPem,
      subject: { commonName: name, organization: 'EVX' },
      uris: [uri],
      dnsNames: config.services.dnsNames,
      ipAddresses: config.services.ipAddresses,
      serverAuth: true,
      ...leafValidity(now, config.validity.leafDays),
    });
    const cert = pkiLayout.relativeService(name, 'crt');
    const key = pkiLayout.relativeService(name, 'key');
    writeFileAtomic(join(outDir, cert), issued.certPem + serviceCa.certPem);
    writePrivateKeyFile(join(outDir, key), keyPair.privateKeyPem);
    identities.push({
      name,
      uri,
      domain: 'service',
      kind: 'service',
      cert,
      key,
      serial: normalizeSerial(issued.serial),
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
    });
  }

  const revoked = new Map<Domain, CrlEntry[]>(DOMAINS.map((domain) => [domain, []]));
  for (const { actor, resolved } of actors) {
    const validity = actor.expired
      ? { notBefore: new Date(now.getTime() - 3 * DAY_MS), notAfter: new Date(now.getTime() - DAY_MS) }
      : leafValidity(now, config.validity.leafDays);
    const entry = writeActorCertificate(outDir, caOf(resolved.domain).intermediate, resolved, takeKey(), validity);
    if (actor.revoked) {
      revoked.get(resolved.domain)?.push({ serial: entry.serial, revokedAt: crlIssueTime(now), reason: 'keyCompromise' });
      identities.push({ ...entry, revoked: true });
    } else {
      identities.push(entry);
    }
  }

  // Root CRLs are needed even when empty: Node's `crl` option turns on CRL checking for every
  // certificate in the chain, and an intermediate without its root's CRL fails the handshake.
  const crlOptions = { now, crlDays: config.validity.crlDays };
  for (const domain of DOMAINS) {
    const { root, intermediate } = caOf(domain);
    await writeCrl(pkiLayout.rootCrl(outDir, domain), root, [], 1n, crlOptions);
    await writeCrl(pkiLayout.caCrl(outDir, domain), intermediate, revoked.get(domain) ?? [], 1n, crlOptions);
  }

  writeLogKey(outDir);
  writeIdentityManifest(outDir, identities);
  return { outDir, generated: true, identities, refreshedCrls: [], durationMs: performance.now() - started };
}

/** True if `outDir` holds a complete generated PKI (every CA key, the log key and the manifest). */
export function hasDevPki(outDir: string): boolean {
  const required = [
    ...DOMAINS.flatMap((domain) => [pkiLayout.rootKey(outDir, domain), pkiLayout.caKey(outDir, domain), pkiLayout.caCrl(outDir, domain)]),
    pkiLayout.logKey(outDir),
    pkiLayout.manifest(outDir),
  ];
  return required.every((path) => existsSync(path));
}

/**
 * Generates the dev PKI only if `outDir` lacks it (first `npm start`); otherwise just re-signs
 * CRLs that are about to expire, so a months-old dev PKI keeps working.
 */
export async function ensureDevPki(outDir: string, options: Omit<GenerateDevPkiOptions, 'outDir'> = {}): Promise<DevPkiSummary> {
  const started = performance.now();
  const dir = resolve(outDir);
  if (!hasDevPki(dir)) return generateDevPki({ ...options, outDir: dir });
  const config = resolveConfig(options.config);
  const refreshedCrls = await refreshCrls(dir, { now: options.now, crlDays: config.validity.crlDays });
  return {
    outDir: dir,
    generated: false,
    identities: readIdentityManifest(dir).identities,
    refreshedCrls,
    durationMs: performance.now() - started,
  };
}
