import { readFileSync } from 'node:fs';
import { type ActorRequest, resolveActor } from './actor-request.js';
import { isValidSegment } from './identity-uri.js';
import { PkiError, PkiErrorCode } from './pki-error.js';

/** An actor to generate; `expired` / `revoked` produce the negative-test certificates. */
export interface PkiActorConfig extends ActorRequest {
  /** Validity lies entirely in the past. */
  readonly expired?: boolean;
  /** Serial is listed in its domain's CRL. */
  readonly revoked?: boolean;
}

/** Shape of certs-dev/pki.config.json. */
export interface PkiConfig {
  readonly keyBits: number;
  readonly validity: {
    readonly rootDays: number;
    readonly intermediateDays: number;
    readonly leafDays: number;
    readonly crlDays: number;
  };
  readonly services: {
    readonly names: readonly string[];
    /** Server names put in every service certificate (they double as TLS server certs). */
    readonly dnsNames: readonly string[];
    readonly ipAddresses: readonly string[];
  };
  readonly actors: readonly PkiActorConfig[];
}

/**
 * Built-in copy of certs-dev/pki.config.json, for callers that generate into a temp folder
 * without the repository at hand (tests, the adapter SDK's examples). A spec checks that the
 * committed file and this constant agree.
 */
export const DEFAULT_PKI_CONFIG: PkiConfig = {
  keyBits: 2048,
  validity: { rootDays: 3650, intermediateDays: 1825, leafDays: 825, crlDays: 30 },
  services: {
    names: ['authority-api', 'provider-edge', 'vault'],
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  },
  actors: [
    { role: 'investigator', agency: 'police-hn', id: 'inv-1' },
    { role: 'investigator', agency: 'police-hn', id: 'inv-2' },
    { role: 'supervisor', agency: 'police-hn', id: 'sup-1' },
    { role: 'prosecutor', agency: 'police-hn', id: 'pros-1' },
    { role: 'judge', agency: 'police-hn', id: 'judge-1' },
    { role: 'duty-officer', agency: 'police-hn', id: 'duty-1' },
    { role: 'investigator', agency: 'police-dn', id: 'inv-1' },
    { role: 'supervisor', agency: 'police-dn', id: 'sup-1' },
    { role: 'auditor', body: 'dpa', id: 'aud-1' },
    { role: 'adapter', provider: 'telco-a', id: 'main' },
    { role: 'adapter', provider: 'bank-b', id: 'main' },
    { role: 'investigator', agency: 'police-hn', id: 'expired-1', file: 'police-hn.expired', expired: true },
    { role: 'investigator', agency: 'police-hn', id: 'revoked-1', file: 'police-hn.revoked', revoked: true },
    { role: 'adapter', provider: 'telco-a', id: 'revoked', file: 'telco-a.revoked', revoked: true },
  ],
};

function fail(source: string, why: string): never {
  throw new PkiError(PkiErrorCode.BAD_CONFIG, `${source}: ${why}`);
}

function positiveInteger(source: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(source, `${field} must be a positive integer`);
  return value;
}

function stringList(source: string, field: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    fail(source, `${field} must be an array of strings`);
  }
  return value;
}

/** Validates an untrusted config object (parsed JSON) into a PkiConfig. */
export function validatePkiConfig(value: unknown, source = 'PKI config'): PkiConfig {
  if (typeof value !== 'object' || value === null) fail(source, 'expected a JSON object');
  const raw = value as Record<string, unknown>;
  const keyBits = positiveInteger(source, 'keyBits', raw.keyBits);
  if (keyBits < 2048) fail(source, 'keyBits must be at least 2048');
  const validity = (raw.validity ?? {}) as Record<string, unknown>;
  const services = (raw.services ?? {}) as Record<string, unknown>;
  const names = stringList(source, 'services.names', services.names);
  const badName = names.find((name) => !isValidSegment(name));
  if (badName !== undefined) fail(source, `service name ${JSON.stringify(badName)} is not a lowercase [a-z0-9-] segment`);
  if (!Array.isArray(raw.actors)) fail(source, 'actors must be an array');
  const actors = raw.actors.map((actor: unknown, index: number): PkiActorConfig => {
    if (typeof actor !== 'object' || actor === null) fail(source, `actors[${index}] must be an object`);
    const entry = actor as PkiActorConfig;
    try {
      resolveActor(entry);
    } catch (error) {
      fail(source, `actors[${index}]: ${(error as Error).message}`);
    }
    return entry;
  });
  const files = actors.map((actor) => resolveActor(actor).file);
  const duplicate = files.find((file, index) => files.indexOf(file) !== index);
  if (duplicate !== undefined) fail(source, `two actors share the file name ${duplicate}`);
  return {
    keyBits,
    validity: {
      rootDays: positiveInteger(source, 'validity.rootDays', validity.rootDays),
      intermediateDays: positiveInteger(source, 'validity.intermediateDays', validity.intermediateDays),
      leafDays: positiveInteger(source, 'validity.leafDays', validity.leafDays),
      crlDays: positiveInteger(source, 'validity.crlDays', validity.crlDays),
    },
    services: {
      names,
      dnsNames: stringList(source, 'services.dnsNames', services.dnsNames),
      ipAddresses: stringList(source, 'services.ipAddresses', services.ipAddresses),
    },
    actors,
  };
}

export function loadPkiConfig(path: string): PkiConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PkiError(PkiErrorCode.BAD_CONFIG, `Cannot read PKI config ${path}: ${(error as Error).message}`);
  }
  return validatePkiConfig(parsed, path);
}
