// What the kit must know about an adapter to test it: how to start it, which provider it answers for, and orders it
// can fulfil, one it cannot, one large enough to cut in the middle, and (optionally) how to make it over-collect.
// The built-in mock adapters have their profiles here; any other adapter brings a JSON file of the same shape.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOCK_PROVIDERS } from '#evx/mock-providers';
import { REQUEST_TYPES, type RequestType } from '#evx/workflow';

/** A selector as the REST API takes it (docs/requests.md). */
export interface SelectorInput {
  readonly selectorId: string;
  readonly kind: 'msisdn' | 'imsi' | 'imei' | 'ipObservation' | 'iban' | 'nationalId';
  readonly value: string | Readonly<Record<string, unknown>>;
}

/** An absolute period, or the last N days up to now (profiles are written once and run any day). */
export type TimeRangeInput = { readonly start: string; readonly end: string } | { readonly lastDays: number };

/** What an order asks for: the scope EVX enforces on upload. */
export interface OrderScope {
  readonly requestTypes: readonly RequestType[];
  readonly selectors: readonly SelectorInput[];
  readonly timeRange?: TimeRangeInput;
}

export interface AdapterProfile {
  /** For people: "mock-telecom". */
  readonly name: string;
  /** The provider the adapter answers for (its certificate's provider), e.g. telco-a. */
  readonly providerId: string;
  /**
   * The adapter's dev-PKI identity file (actors/<identity>.crt), when the kit may use it to ask provider-edge what
   * the adapter uploaded (GetUploadState). Optional: without it those extra checks are skipped.
   */
  readonly identity?: string;
  /** The command line that starts the adapter (argv, no shell). */
  readonly command: readonly string[];
  /** Extra environment for the adapter, besides PROVIDER_EDGE_ADDRESS and EVX_CERTS_DIR that the kit sets. */
  readonly env?: Readonly<Record<string, string>>;
  /** Orders the adapter must fulfil, one per request type it serves. */
  readonly happyPaths: readonly { readonly name: string; readonly scope: OrderScope }[];
  /** An order the adapter cannot fulfil (a selector it does not hold): it must refuse with structured grounds. */
  readonly refusal: OrderScope;
  /**
   * An order whose answer is large enough to cut mid-upload (at least `cutAfterBytes` sent after the task is
   * acknowledged), and deterministic: the same order gives the same records.
   */
  readonly resume: {
    readonly scope: OrderScope;
    readonly cutAfterBytes?: number;
    /** Extra environment to restart the adapter with for this scenario only (e.g. a larger data volume). */
    readonly env?: Readonly<Record<string, string>>;
    /**
     * Whether the same order gives byte-identical payloads (the default, and true of the reference adapters). Set
     * false only for an adapter that writes order-specific values (a task id) into payloads: then only the records'
     * metadata and sizes are compared.
     */
    readonly identicalPayloads?: boolean;
  };
  /**
   * How to make the adapter emit one out-of-scope record on purpose (a test mode): extra environment for a restart,
   * and the order to send. Without it the kit checks only that no happy-path upload had a record rejected.
   */
  readonly outOfScope?: { readonly env: Readonly<Record<string, string>>; readonly scope: OrderScope };
}

/** Built-in profiles: the reference adapters, run from the compiled project (`distRoot`). */
export function builtInProfile(name: string, distRoot: string): AdapterProfile | undefined {
  const node = process.execPath;
  switch (name) {
    case 'mock-telecom':
      return {
        name,
        providerId: 'telco-a',
        identity: 'telco-a.main',
        command: [node, join(distRoot, 'apps/mock-telecom/src/main.js')],
        happyPaths: [
          { name: 'SUBSCRIBER_DATA', scope: telecom(['SUBSCRIBER_DATA']) },
          { name: 'USER_IDENTIFYING_DATA', scope: telecomIp() },
          { name: 'TRAFFIC_DATA', scope: telecom(['TRAFFIC_DATA'], { lastDays: 30 }) },
          { name: 'LOCATION_DATA', scope: telecom(['LOCATION_DATA'], { lastDays: 30 }) },
        ],
        refusal: {
          requestTypes: ['SUBSCRIBER_DATA'],
          selectors: [{ selectorId: 'unknown', kind: 'msisdn', value: MOCK_TELECOM.unknownMsisdn }],
        },
        resume: {
          scope: telecom(['TRAFFIC_DATA', 'LOCATION_DATA'], { lastDays: 90 }),
          env: { MOCK_VOLUME: '600' },
          cutAfterBytes: 128 * 1024,
        },
        outOfScope: {
          env: { MOCK_FAULTS: 'out-of-scope' },
          scope: telecom(['TRAFFIC_DATA'], { lastDays: 7 }),
        },
      };
    case 'mock-bank':
      return {
        name,
        providerId: 'bank-b',
        identity: 'bank-b.main',
        command: [node, join(distRoot, 'apps/mock-bank/src/main.js')],
        happyPaths: [
          { name: 'ACCOUNT_HOLDER_DATA', scope: bank(['ACCOUNT_HOLDER_DATA']) },
          { name: 'ACCOUNT_DATA', scope: bank(['ACCOUNT_DATA']) },
          { name: 'TRANSACTION_DATA', scope: bank(['TRANSACTION_DATA'], { lastDays: 30 }) },
        ],
        refusal: {
          requestTypes: ['ACCOUNT_HOLDER_DATA'],
          selectors: [{ selectorId: 'unknown', kind: 'iban', value: MOCK_BANK.unknownIban }],
        },
        resume: {
          scope: bank(['TRANSACTION_DATA'], { lastDays: 365 }),
          env: { MOCK_VOLUME: '1200' },
          cutAfterBytes: 128 * 1024,
        },
        outOfScope: { env: { MOCK_FAULTS: 'out-of-scope' }, scope: bank(['TRANSACTION_DATA'], { lastDays: 7 }) },
      };
    default:
      return undefined;
  }
}

export const BUILT_IN_ADAPTERS = ['mock-telecom', 'mock-bank'] as const;

/**
 * Selectors for the reference adapters: any well-formed one is a customer (synthetic data), except the ones the mock
 * providers declare unknown (MOCK_PROVIDERS), which they refuse.
 */
export const MOCK_TELECOM = {
  msisdn: '+31612345678',
  ipAddress: '198.51.100.23',
  unknownMsisdn: MOCK_PROVIDERS['telco-a']?.unknown[0] ?? '+31699999999',
};

export const MOCK_BANK = {
  iban: 'NL91ABNA0417164300',
  unknownIban: MOCK_PROVIDERS['bank-b']?.unknown[0] ?? 'NL02ABNA0123456789',
};

function telecom(requestTypes: RequestType[], timeRange?: TimeRangeInput): OrderScope {
  return {
    requestTypes,
    selectors: [{ selectorId: 's1', kind: 'msisdn', value: MOCK_TELECOM.msisdn }],
    ...(timeRange ? { timeRange } : {}),
  };
}

function telecomIp(): OrderScope {
  const observedTime = new Date(Date.now() - 2 * 86_400_000).toISOString();
  return {
    requestTypes: ['USER_IDENTIFYING_DATA'],
    selectors: [
      {
        selectorId: 'ip1',
        kind: 'ipObservation',
        value: { ipAddress: MOCK_TELECOM.ipAddress, port: 40123, observedTime },
      },
    ],
    timeRange: { lastDays: 7 },
  };
}

function bank(requestTypes: RequestType[], timeRange?: TimeRangeInput): OrderScope {
  return {
    requestTypes,
    selectors: [{ selectorId: 'a1', kind: 'iban', value: MOCK_BANK.iban }],
    ...(timeRange ? { timeRange } : {}),
  };
}

/** A profile from a JSON file, checked enough to name what is wrong before anything starts. */
export function loadProfile(file: string): AdapterProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProfileError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return checkProfile(parsed, file);
}

export class ProfileError extends Error {
  override name = 'ProfileError';
}

export function checkProfile(value: unknown, where: string): AdapterProfile {
  const problems: string[] = [];
  const p = (value ?? {}) as Partial<AdapterProfile>;
  const need = (ok: boolean, what: string) => ok || problems.push(what);
  need(typeof p.name === 'string' && p.name.length > 0, 'name: a non-empty string');
  need(typeof p.providerId === 'string' && /^[a-z0-9-]{1,63}$/.test(p.providerId), 'providerId: e.g. "telco-a"');
  need(
    Array.isArray(p.command) && p.command.length > 0 && p.command.every((a) => typeof a === 'string'),
    'command: the argv that starts the adapter, e.g. ["node", "my-adapter.js"]',
  );
  need(Array.isArray(p.happyPaths) && p.happyPaths.length > 0, 'happyPaths: at least one {name, scope}');
  for (const [i, h] of (Array.isArray(p.happyPaths) ? p.happyPaths : []).entries())
    scopeProblems(h?.scope, `happyPaths[${i}].scope`, problems);
  scopeProblems(p.refusal, 'refusal', problems);
  scopeProblems(p.resume?.scope, 'resume.scope', problems);
  const identical = p.resume?.identicalPayloads;
  need(identical === undefined || typeof identical === 'boolean', 'resume.identicalPayloads: true or false');
  if (p.outOfScope) scopeProblems(p.outOfScope.scope, 'outOfScope.scope', problems);
  if (problems.length) throw new ProfileError(`${where}: ${problems.join('; ')}`);
  return p as AdapterProfile;
}

function scopeProblems(scope: OrderScope | undefined, path: string, problems: string[]): void {
  if (!scope || typeof scope !== 'object') {
    problems.push(`${path}: {requestTypes, selectors, timeRange?}`);
    return;
  }
  const types = Array.isArray(scope.requestTypes) ? scope.requestTypes : [];
  if (!types.length || !types.every((t) => (REQUEST_TYPES as readonly string[]).includes(t)))
    problems.push(`${path}.requestTypes: one or more of ${REQUEST_TYPES.join(', ')}`);
  if (!Array.isArray(scope.selectors) || scope.selectors.length === 0)
    problems.push(`${path}.selectors: at least one {selectorId, kind, value}`);
}

/** The period of a scope as absolute ISO times, `now` fixing "the last N days". */
export function absoluteTimeRange(
  range: TimeRangeInput | undefined,
  now: Date,
): { start: string; end: string } | undefined {
  if (!range) return undefined;
  if ('lastDays' in range)
    return { start: new Date(now.getTime() - range.lastDays * 86_400_000).toISOString(), end: now.toISOString() };
  return { start: range.start, end: range.end };
}
