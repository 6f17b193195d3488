import { generateKeyPair, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import type forge from 'node-forge';

let forgeModule: typeof forge | undefined;

/**
 * node-forge, loaded on first use: only the dev PKI's generator (certificates, CRL keys) needs it, while every
 * service and `evx verify` import #evx/pki, and loading it costs ≈ 30 ms of start-up (docs/performance.md, figure 5).
 */
export function nodeForge(): typeof forge {
  return (forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof forge);
}

const generateKeyPairAsync = promisify(generateKeyPair);

export interface KeyPairPem {
  /** PKCS#8 PEM ("BEGIN PRIVATE KEY"): readable by Node, OpenSSL and forge alike. */
  readonly privateKeyPem: string;
  /** SPKI PEM. */
  readonly publicKeyPem: string;
}

/**
 * RSA key generation is done by OpenSSL through node:crypto: forge's pure-JS prime search takes
 * seconds per 2048-bit key, OpenSSL a fraction of that, and the async form runs on the libuv
 * pool so several keys are generated in parallel. Certificates are still built by forge.
 */
export async function generateRsaKeyPair(bits: number): Promise<KeyPairPem> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

export function forgePrivateKey(privateKeyPem: string): forge.pki.rsa.PrivateKey {
  return nodeForge().pki.privateKeyFromPem(privateKeyPem);
}

/** PKCS#8 DER of a forge RSA key, the form WebCrypto imports. */
export function forgeKeyToPkcs8Der(key: forge.pki.rsa.PrivateKey): Uint8Array {
  const pkcs8 = nodeForge().pki.wrapRsaPrivateKey(nodeForge().pki.privateKeyToAsn1(key));
  return Buffer.from(nodeForge().asn1.toDer(pkcs8).getBytes(), 'binary');
}

export const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** WebCrypto signing key for @peculiar/x509 (which signs CRLs through WebCrypto, not forge). */
export async function importRsaSigningKey(key: forge.pki.rsa.PrivateKey): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', forgeKeyToPkcs8Der(key), RSA_SHA256, false, ['sign']);
}
