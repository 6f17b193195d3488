import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CERTIFICATE_CACHE_SIZE, LruCache, certificateCache, parsedCertificate } from './certificate-cache.js';
import { generateDevPki } from './dev-pki.js';
import { IdentityError, IdentityErrorCode } from './identity-error.js';
import { identityFromCertificate } from './identity.js';
import { type IdentityManifestEntry, readIdentityManifest } from './manifest.js';
import { revokeCertificate } from './revocation.js';
import { TrustStore } from './trust-store.js';

const CONFIG = fileURLToPath(new URL('../../../certs-dev/pki.config.json', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;

let out: string;
let identities: readonly IdentityManifestEntry[];

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'evx-pki-cache-'));
  await generateDevPki({ outDir: out, config: CONFIG });
  identities = readIdentityManifest(out).identities;
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

afterEach(() => certificateCache.resize(DEFAULT_CERTIFICATE_CACHE_SIZE));

/** DER bytes, as a TLS peer certificate gives them (the guard's input). */
const derOf = (name: string): Buffer => new X509Certificate(readFileSync(join(out, 'actors', `${name}.crt`))).raw;
const serialOf = (name: string): string => {
  const entry = identities.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no manifest entry ${name}`);
  return entry.serial;
};

function refusal(input: Buffer, store: TrustStore, now?: Date): IdentityError {
  try {
    identityFromCertificate(input, store, now);
  } catch (error) {
    if (error instanceof IdentityError) return error;
    throw error;
  }
  throw new Error('expected the certificate to be refused');
}

describe('LruCache', () => {
  it('keeps at most its capacity and evicts the least recently used', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now the newest
    lru.set('c', 3);
    expect(lru.size).toBe(2);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    lru.resize(1);
    expect(lru.size).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});

describe('parsedCertificate', () => {
  it('parses the same bytes once, and different bytes apart', () => {
    certificateCache.clear();
    const der = derOf('police-hn.inv-1');
    const first = parsedCertificate(der);
    expect(parsedCertificate(Buffer.from(der))).toBe(first);
    expect(parsedCertificate(new Uint8Array(der))).toBe(first);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(parsedCertificate(derOf('police-hn.inv-2'))).not.toBe(first);
    expect(certificateCache.size).toBe(2);
  });

  it('does not remember what does not parse', () => {
    certificateCache.clear();
    const garbage = Buffer.from('not a certificate');
    expect(() => parsedCertificate(garbage)).toThrow();
    expect(() => parsedCertificate(garbage)).toThrow();
    expect(certificateCache.size).toBe(0);
  });

  it('stays within its bound, and an evicted certificate is simply parsed again', () => {
    certificateCache.clear();
    certificateCache.resize(3);
    const trust = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    const names = ['police-hn.inv-1', 'police-hn.inv-2', 'police-hn.sup-1', 'police-hn.judge-1', 'police-dn.inv-1'];
    for (const name of names) identityFromCertificate(derOf(name), trust);
    expect(certificateCache.size).toBe(3);
    // The first two were evicted; they are verified from scratch, with the same result.
    expect(identityFromCertificate(derOf('police-hn.inv-1'), trust)).toMatchObject({
      id: 'inv-1',
      agency: 'police-hn',
    });
    expect(identityFromCertificate(derOf('police-hn.judge-1'), trust)).toMatchObject({ role: 'judge' });
    expect(certificateCache.size).toBe(3);
  });
});

describe('identityFromCertificate with a cached certificate', () => {
  it('refuses a certificate revoked after its identity was cached, once the trust store has the new CRL', async () => {
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    const der = derOf('police-hn.inv-2');
    expect(identityFromCertificate(der, store)).toMatchObject({ id: 'inv-2' });
    expect(identityFromCertificate(der, store)).toMatchObject({ id: 'inv-2' }); // now from the cache
    const cachedEntries = certificateCache.size;

    await revokeCertificate(out, 'authority', serialOf('police-hn.inv-2'), { reason: 'keyCompromise' });
    expect(store.reload()).toEqual(['authority']);
    const error = refusal(der, store);
    expect(error.code).toBe(IdentityErrorCode.REVOKED);
    // The refusal came from the cached parse, not from parsing anew.
    expect(certificateCache.size).toBe(cachedEntries);
    // The same bytes, every time after that.
    expect(refusal(Buffer.from(der), store).code).toBe(IdentityErrorCode.REVOKED);
    // Other certificates of the domain are unaffected.
    expect(identityFromCertificate(derOf('police-hn.inv-1'), store)).toMatchObject({ id: 'inv-1' });
  });

  it('picks up a revocation by itself (refreshIfDue) although the identity is cached', async () => {
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 1 });
    const der = derOf('police-dn.sup-1');
    expect(identityFromCertificate(der, store)).toMatchObject({ role: 'supervisor', agency: 'police-dn' });
    await revokeCertificate(out, 'authority', serialOf('police-dn.sup-1'));
    await new Promise((resolve) => setTimeout(resolve, 5)); // let crlRecheckMs (1 ms) pass
    expect(refusal(der, store).code).toBe(IdentityErrorCode.REVOKED);
  });

  it('refuses a cached certificate once it has expired, and before it is valid', () => {
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    const der = derOf('police-hn.sup-1');
    const identity = identityFromCertificate(der, store);
    expect(identity).toMatchObject({ role: 'supervisor' });
    const expired = refusal(der, store, new Date(identity.notAfter.getTime() + 1000));
    expect(expired.code).toBe(IdentityErrorCode.EXPIRED);
    expect(refusal(der, store, new Date(identity.notBefore.getTime() - 60_000)).code).toBe(
      IdentityErrorCode.NOT_YET_VALID,
    );
    // And still good now.
    expect(identityFromCertificate(der, store)).toMatchObject({ role: 'supervisor' });
  });

  it('checks the CRL expiry at the time of each call', () => {
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    const der = derOf('police-hn.pros-1');
    expect(identityFromCertificate(der, store)).toMatchObject({ role: 'prosecutor' });
    expect(refusal(der, store, new Date(Date.now() + 45 * DAY)).code).toBe(IdentityErrorCode.REVOCATION_UNKNOWN);
  });

  it('checks the issuer per trust store: a store without the domain refuses what another accepted', () => {
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    const der = derOf('police-hn.judge-1');
    expect(identityFromCertificate(der, store)).toMatchObject({ role: 'judge' });
    const providerOnly = TrustStore.fromPem({
      provider: {
        root: readFileSync(join(out, 'provider', 'root.crt'), 'utf8'),
        intermediate: readFileSync(join(out, 'provider', 'ca.crt'), 'utf8'),
      },
    });
    expect(refusal(der, providerOnly).code).toBe(IdentityErrorCode.UNTRUSTED_ISSUER);
  });

  it('gives every caller its own identity: changing one does not reach the cache', () => {
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    const der = derOf('police-hn.inv-1');
    const first = identityFromCertificate(der, store);
    const notAfter = first.notAfter.getTime();
    first.notAfter.setTime(0);
    (first as { uri: string }).uri = 'evx://authority/police-hn/approver/judge-1';
    const second = identityFromCertificate(der, store);
    expect(second.notAfter.getTime()).toBe(notAfter);
    expect(second.uri).toBe('evx://authority/police-hn/investigator/inv-1');
  });

  it('refuses an already refused certificate again, with the same reason', () => {
    const store = TrustStore.fromDirectory(out, { crlRecheckMs: 0 });
    const der = derOf('police-hn.expired');
    expect(refusal(der, store).code).toBe(IdentityErrorCode.EXPIRED);
    expect(refusal(der, store).code).toBe(IdentityErrorCode.EXPIRED);
  });
});
