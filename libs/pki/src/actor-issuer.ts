import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ActorRequest, type ResolvedActor, resolveActor } from './actor-request.js';
import { loadDomainCa } from './ca-files.js';
import { type CaMaterial, type Validity, issueLeafCertificate } from './dev-ca.js';
import { writeFileAtomic, writePrivateKeyFile } from './fs-write.js';
import { generateRsaKeyPair, type KeyPairPem } from './key-material.js';
import { type IdentityManifestEntry, readIdentityManifest, writeIdentityManifest } from './manifest.js';
import { pkiLayout } from './pki-layout.js';
import { PkiError, PkiErrorCode } from './pki-error.js';
import { normalizeSerial } from './serial.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Leaves start slightly in the past so that a peer with a lagging clock accepts them at once. */
export const LEAF_BACKDATE_MS = 60 * 60 * 1000;
export const DEFAULT_LEAF_DAYS = 825;

export function leafValidity(now: Date, days: number): Validity {
  return { notBefore: new Date(now.getTime() - LEAF_BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

/** Issues the actor's certificate from `ca` and writes actors/<file>.crt (leaf + chain) and .key. */
export function writeActorCertificate(
  outDir: string,
  ca: CaMaterial,
  actor: ResolvedActor,
  keyPair: KeyPairPem,
  validity: Validity,
): IdentityManifestEntry {
  const issued = issueLeafCertificate({
    issuer: ca,
    publicKeyPem: keyPair.publicKeyPem,
    subject: actor.subject,
    uris: [actor.uri],
    ...validity,
  });
  const cert = pkiLayout.relativeActor(actor.file, 'crt');
  const key = pkiLayout.relativeActor(actor.file, 'key');
  writeFileAtomic(join(outDir, cert), issued.certPem + ca.certPem);
  writePrivateKeyFile(join(outDir, key), keyPair.privateKeyPem);
  return {
    name: actor.file,
    uri: actor.uri,
    domain: actor.domain,
    kind: actor.kind,
    ...(actor.role ? { role: actor.role } : {}),
    cert,
    key,
    serial: normalizeSerial(issued.serial),
    notBefore: issued.notBefore.toISOString(),
    notAfter: issued.notAfter.toISOString(),
  };
}

export interface IssueActorOptions extends ActorRequest {
  /** The generated PKI folder (certs-dev/out). */
  readonly out: string;
  readonly validityDays?: number;
  readonly keyBits?: number;
  readonly now?: Date;
}

export interface IssuedActor extends IdentityManifestEntry {
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * Issues one more actor certificate from the existing intermediate CA of the role's domain and
 * records it in identities.json. Backs `npx evx certs issue --role … --agency … --id …`.
 * @throws PkiError BAD_REQUEST (bad flags), ALREADY_EXISTS, MISSING_FILE (no PKI generated yet)
 */
export async function issueActorCertificate(options: IssueActorOptions): Promise<IssuedActor> {
  const outDir = resolve(options.out);
  const actor = resolveActor(options);
  const manifest = readIdentityManifest(outDir);
  const clash = manifest.identities.find((entry) => entry.name === actor.file || entry.uri === actor.uri);
  if (clash || existsSync(join(outDir, pkiLayout.relativeActor(actor.file, 'crt')))) {
    throw new PkiError(
      PkiErrorCode.ALREADY_EXISTS,
      `${actor.uri} (actors/${actor.file}.crt) has already been issued; choose another --id, or revoke the old certificate and remove it first.`,
    );
  }
  const ca = loadDomainCa(outDir, actor.domain, 'intermediate');
  const keyPair = await generateRsaKeyPair(options.keyBits ?? 2048);
  const entry = writeActorCertificate(outDir, ca, actor, keyPair, leafValidity(options.now ?? new Date(), options.validityDays ?? DEFAULT_LEAF_DAYS));
  writeIdentityManifest(outDir, [...manifest.identities, entry]);
  return { ...entry, certPath: join(outDir, entry.cert), keyPath: join(outDir, entry.key) };
}
