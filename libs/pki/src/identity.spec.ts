import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDomainCa } from './ca-files.js';
import { createIntermediateCa, createRootCa, issueLeafCertificate } from './dev-ca.js';
import { generateDevPki } from './dev-pki.js';
import { IdentityError, IdentityErrorCode } from './identity-error.js';
import { type CertificateInput, identityFromCertificate } from './identity.js';
import type { Domain } from './identity-uri.js';
import { type KeyPairPem, generateRsaKeyPair } from './key-material.js';
import { type IdentityManifestEntry, readIdentityManifest } from './manifest.js';
import { revokeCertificate } from './revocation.js';
import { TrustStore } from './trust-store.js';

const CONFIG = fileURLToPath(new URL('../../../certs-dev/pki.config.json', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;

let out: string;
let trust: TrustStore;
let identities: readonly IdentityManifestEntry[];

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'evx-pki-identity-'));
  await generateDevPki({ outDir: out, config: CONFIG });
  identities = readIdentityManifest(out).identities;
  trust = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const certOf = (name: string): string => readFileSync(join(out, 'actors', `${name}.crt`), 'utf8');
const entryOf = (name: string): IdentityManifestEntry => {
  const entry = identities.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no manifest entry ${name}`);
  return entry;
};

function refusal(input: CertificateInput, store: TrustStore = trust, now?: Date): IdentityError {
  try {
    identityFromCertificate(input, store, now);
  } catch (error) {
    if (error instanceof IdentityError) return error;
    throw error;
  }
  throw new Error('expected the certificate to be refused');
}

let craftKey: KeyPairPem | undefined;

/** A certificate crafted directly with the generator's primitives, for the malformed cases. */
async function craft(options: {
  issuerDomain?: Domain;
  issuerLevel?: 'root' | 'intermediate';
  uris: string[];
  units?: string[];
}): Promise<string> {
  const issuer = loadDomainCa(out, options.issuerDomain ?? 'authority', options.issuerLevel ?? 'intermediate');
  // One key for all crafted certificates: only names and issuers matter in these cases.
  craftKey ??= await generateRsaKeyPair(2048);
  const keyPair = craftKey;
  return issueLeafCertificate({
    issuer,
    publicKeyPem: keyPair.publicKeyPem,
    subject: { commonName: 'crafted', organization: 'test', organizationalUnits: options.units },
    uris: options.uris,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + DAY),
  }).certPem;
}

describe('identityFromCertificate: accepted actors', () => {
  it('reads an investigator with its certificate facts', () => {
    const pem = certOf('police-hn.inv-1');
    const identity = identityFromCertificate(pem, trust);
    const node = new X509Certificate(pem);
    expect(identity).toMatchObject({
      uri: 'evx://authority/police-hn/investigator/inv-1',
      domain: 'authority',
      kind: 'investigator',
      agency: 'police-hn',
      id: 'inv-1',
      serialNumber: entryOf('police-hn.inv-1').serial,
      issuer: 'CN=EVX Dev Authority Intermediate CA, O=EVX Dev PKI',
      fingerprint256: node.fingerprint256,
    });
    expect(identity.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(identity.notAfter.toISOString()).toBe(entryOf('police-hn.inv-1').notAfter);
  });

  it('accepts DER bytes as a TLS peer certificate gives them', () => {
    const der = new X509Certificate(certOf('police-dn.inv-1')).raw;
    expect(identityFromCertificate(der, trust)).toMatchObject({ agency: 'police-dn', id: 'inv-1' });
    expect(identityFromCertificate(new Uint8Array(der), trust).kind).toBe('investigator');
  });

  it.each([
    ['police-hn.sup-1', 'supervisor'],
    ['police-hn.pros-1', 'prosecutor'],
    ['police-hn.judge-1', 'judge'],
    ['police-hn.duty-1', 'duty-officer'],
    ['police-dn.sup-1', 'supervisor'],
  ])('reads approver %s with role %s from the OU', (name, role) => {
    const identity = identityFromCertificate(certOf(name), trust);
    expect(identity.kind).toBe('approver');
    if (identity.kind !== 'approver') throw new Error('narrowing');
    expect(identity.role).toBe(role);
    expect(identity.uri).toBe(entryOf(name).uri);
  });

  it('reads an auditor, an adapter and a service', () => {
    expect(identityFromCertificate(certOf('dpa.aud-1'), trust)).toMatchObject({ domain: 'oversight', kind: 'auditor', body: 'dpa', id: 'aud-1' });
    expect(identityFromCertificate(certOf('telco-a.main'), trust)).toMatchObject({ domain: 'provider', kind: 'adapter', provider: 'telco-a', name: 'main' });
    expect(identityFromCertificate(certOf('bank-b.main'), trust)).toMatchObject({ provider: 'bank-b', name: 'main' });
    const vault = readFileSync(join(out, 'services', 'vault.crt'), 'utf8');
    expect(identityFromCertificate(vault, trust)).toMatchObject({ uri: 'evx://service/vault', domain: 'service', kind: 'service', name: 'vault' });
  });

  it('ignores URI SANs of other schemes', async () => {
    const pem = await craft({ uris: ['spiffe://example.org/x', 'evx://authority/police-hn/investigator/inv-9'] });
    expect(identityFromCertificate(pem, trust)).toMatchObject({ id: 'inv-9' });
  });
});

describe('identityFromCertificate: refusals', () => {
  it('refuses a missing or unparseable certificate', () => {
    expect(refusal(undefined).code).toBe(IdentityErrorCode.NO_CERTIFICATE);
    expect(refusal(Buffer.alloc(0)).code).toBe(IdentityErrorCode.NO_CERTIFICATE);
    expect(refusal(Buffer.from('not a certificate')).code).toBe(IdentityErrorCode.MALFORMED_CERTIFICATE);
    expect(refusal('hello').code).toBe(IdentityErrorCode.MALFORMED_CERTIFICATE);
  });

  it('refuses an authority URI in a certificate issued by the oversight CA', async () => {
    const pem = await craft({ issuerDomain: 'oversight', uris: ['evx://authority/police-hn/investigator/inv-1'] });
    const error = refusal(pem);
    expect(error.code).toBe(IdentityErrorCode.DOMAIN_MISMATCH);
    expect(error.message).toContain('issued by the oversight intermediate CA');
  });

  it('refuses a provider URI in a certificate issued by the service CA', async () => {
    const pem = await craft({ issuerDomain: 'service', uris: ['evx://provider/telco-a/adapter/main'] });
    expect(refusal(pem).code).toBe(IdentityErrorCode.DOMAIN_MISMATCH);
  });

  it('refuses certificates from an unknown CA or straight from the root', async () => {
    const now = new Date();
    const validity = { notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + DAY) };
    const [rootKey, caKey, leafKey] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    // Same names as the real authority CAs: only the signature tells them apart.
    const rogueRoot = createRootCa('authority', rootKey, validity);
    const rogueCa = createIntermediateCa('authority', rogueRoot, caKey, validity);
    const rogue = issueLeafCertificate({
      issuer: rogueCa,
      publicKeyPem: leafKey.publicKeyPem,
      subject: { commonName: 'inv-1' },
      uris: ['evx://authority/police-hn/investigator/inv-1'],
      ...validity,
    }).certPem;
    expect(refusal(rogue).code).toBe(IdentityErrorCode.UNTRUSTED_ISSUER);

    const fromRoot = await craft({ issuerLevel: 'root', uris: ['evx://authority/police-hn/investigator/inv-1'] });
    const error = refusal(fromRoot);
    expect(error.code).toBe(IdentityErrorCode.UNTRUSTED_ISSUER);
    expect(error.message).toContain('directly by its root');
  });

  it('refuses a domain the store does not trust', () => {
    const authorityOnly = TrustStore.fromPem({
      authority: {
        root: readFileSync(join(out, 'authority', 'root.crt'), 'utf8'),
        intermediate: readFileSync(join(out, 'authority', 'ca.crt'), 'utf8'),
        crls: [readFileSync(join(out, 'authority', 'ca.crl'), 'utf8'), readFileSync(join(out, 'authority', 'root.crl'), 'utf8')],
      },
    });
    expect(identityFromCertificate(certOf('police-hn.inv-1'), authorityOnly).kind).toBe('investigator');
    const error = refusal(certOf('dpa.aud-1'), authorityOnly);
    expect(error.code).toBe(IdentityErrorCode.UNTRUSTED_ISSUER);
    expect(error.message).toContain('does not trust the "oversight" domain');
  });

  it('refuses an expired certificate', () => {
    const error = refusal(certOf('police-hn.expired'));
    expect(error.code).toBe(IdentityErrorCode.EXPIRED);
    expect(error.message).toContain('request a new certificate');
  });

  it('refuses a certificate before its notBefore', () => {
    const notBefore = new Date(entryOf('police-hn.inv-1').notBefore);
    expect(refusal(certOf('police-hn.inv-1'), trust, new Date(notBefore.getTime() - 60_000)).code).toBe(IdentityErrorCode.NOT_YET_VALID);
  });

  it('refuses the generated revoked actors', () => {
    expect(refusal(certOf('police-hn.revoked')).code).toBe(IdentityErrorCode.REVOKED);
    expect(refusal(certOf('telco-a.revoked')).code).toBe(IdentityErrorCode.REVOKED);
    expect(trust.isRevoked('authority', entryOf('police-hn.revoked').serial.toUpperCase())).toBe(true);
    expect(trust.isRevoked('authority', entryOf('police-hn.inv-1').serial)).toBe(false);
  });

  it('fails closed once the CRL has expired', () => {
    const error = refusal(certOf('police-hn.inv-1'), trust, new Date(Date.now() + 45 * DAY));
    expect(error.code).toBe(IdentityErrorCode.REVOCATION_UNKNOWN);
    expect(error.message).toContain('CRL expired');
  });

  it('fails closed without a CRL', () => {
    const noCrl = TrustStore.fromPem({
      authority: {
        root: readFileSync(join(out, 'authority', 'root.crt'), 'utf8'),
        intermediate: readFileSync(join(out, 'authority', 'ca.crt'), 'utf8'),
      },
    });
    expect(refusal(certOf('police-hn.inv-1'), noCrl).code).toBe(IdentityErrorCode.REVOCATION_UNKNOWN);
  });

  it('refuses a certificate without a URI SAN', async () => {
    expect(refusal(await craft({ uris: [] })).code).toBe(IdentityErrorCode.NO_IDENTITY_URI);
    expect(refusal(await craft({ uris: ['https://example.org/'] })).code).toBe(IdentityErrorCode.NO_IDENTITY_URI);
  });

  it('refuses a certificate with two identity URIs', async () => {
    const pem = await craft({ uris: ['evx://authority/police-hn/investigator/inv-1', 'evx://authority/police-hn/approver/judge-1'], units: ['judge'] });
    expect(refusal(pem).code).toBe(IdentityErrorCode.MULTIPLE_IDENTITY_URIS);
  });

  it('refuses a malformed identity URI', async () => {
    expect(refusal(await craft({ uris: ['evx://authority/Police-HN/investigator/inv-1'] })).code).toBe(IdentityErrorCode.BAD_IDENTITY_URI);
    expect(refusal(await craft({ uris: ['EVX://authority/police-hn/investigator/inv-1'] })).code).toBe(IdentityErrorCode.BAD_IDENTITY_URI);
  });

  it('refuses an approver without a valid role', async () => {
    const uris = ['evx://authority/police-hn/approver/sup-9'];
    const missing = refusal(await craft({ uris }));
    expect(missing.code).toBe(IdentityErrorCode.MISSING_ROLE);
    expect(missing.message).toContain('supervisor, prosecutor, judge, duty-officer');
    expect(refusal(await craft({ uris, units: ['janitor'] })).code).toBe(IdentityErrorCode.INVALID_ROLE);
    expect(refusal(await craft({ uris, units: ['judge', 'supervisor'] })).code).toBe(IdentityErrorCode.INVALID_ROLE);
  });
});

describe('revocation without a restart', () => {
  it('refuses a certificate after revokeCertificate + reload()', async () => {
    const pem = certOf('police-hn.inv-2');
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    expect(identityFromCertificate(pem, store)).toMatchObject({ id: 'inv-2' });

    expect(await revokeCertificate(out, 'authority', entryOf('police-hn.inv-2').serial, { reason: 'keyCompromise' })).toBe(true);
    expect(await revokeCertificate(out, 'authority', entryOf('police-hn.inv-2').serial)).toBe(false);
    // Explicit mode: nothing changes until reload().
    expect(identityFromCertificate(pem, store)).toMatchObject({ id: 'inv-2' });
    expect(store.reload()).toEqual(['authority']);
    expect(store.reload()).toEqual([]);
    expect(refusal(pem, store).code).toBe(IdentityErrorCode.REVOKED);
    expect(identityFromCertificate(certOf('police-hn.inv-1'), store)).toMatchObject({ id: 'inv-1' });
    expect(readIdentityManifest(out).identities.find((entry) => entry.name === 'police-hn.inv-2')?.revoked).toBe(true);
  });

  it('picks a new CRL up by itself when crlRecheckMs has passed', async () => {
    const pem = certOf('police-dn.inv-1');
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 1 });
    expect(identityFromCertificate(pem, store)).toMatchObject({ agency: 'police-dn' });
    await revokeCertificate(out, 'authority', entryOf('police-dn.inv-1').serial);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(refusal(pem, store).code).toBe(IdentityErrorCode.REVOKED);
  });
});
