// loadPolicies: the policy file (libs/workflow/policies/default.policy.json is the shipped one) into validated,
// resolved per-agency policies. Every problem is reported at once, each naming its setting's path.
import { EvxError } from '#evx/errors';
import type { ApprovalStep } from '../model/authorisation.model.js';
import { REQUEST_TYPES, type RequestType } from '../model/workflow.vocabulary.js';
import type { AgencyPolicy, EmergencyRules, PreservationRules, WorkflowPolicies } from './policy.model.js';
import {
  approvalChainAt,
  checkKnownKeys,
  distinctListAt,
  integerAt,
  type JsonObject,
  objectAt,
  requestTypeOf,
  roleOf,
  SettingProblems,
} from './policy-settings.reader.js';

const AGENCY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const AGENCY_KEYS = ['standard', 'standardDeadlineDays', 'emergency', 'preservation'] as const;
const JUDICIAL_ROLES = ['PROSECUTOR', 'JUDGE'];

/** What one agency's entry (or the defaults) says; anything absent falls back to the defaults. */
interface PolicySettings {
  readonly standard: Partial<Record<RequestType, readonly ApprovalStep[]>>;
  readonly standardDeadlineDays?: number;
  readonly emergency: Partial<EmergencyRules>;
  readonly preservation: Partial<PreservationRules>;
}

type Reader<T> = (value: unknown, path: string, problems: SettingProblems) => T | undefined;

const EMERGENCY_READERS: { readonly [K in keyof EmergencyRules]-?: Reader<EmergencyRules[K]> } = {
  approverRoles: (v, p, s) => distinctListAt(v, p, s, roleOf, { allowEmpty: false }),
  validatorRoles: (v, p, s) => {
    const roles = distinctListAt(v, p, s, roleOf, { allowEmpty: false });
    const wrong = roles?.find((role) => !JUDICIAL_ROLES.includes(role));
    if (wrong === undefined) return roles;
    return s.add(p, `${wrong} cannot validate an emergency order; the validation is judicial: PROSECUTOR or JUDGE`);
  },
  allowedRequestTypes: (v, p, s) => distinctListAt(v, p, s, requestTypeOf, { allowEmpty: true }),
  maxLookBackDays: (v, p, s) => integerAt(v, p, { min: 1, max: 365 }, s),
  providerDeadlineHours: (v, p, s) => integerAt(v, p, { min: 1, max: 72 }, s),
  validationWindowHours: (v, p, s) =>
    integerAt(v, p, { min: 1, max: 48, why: 'Regulation (EU) 2023/1543 Art 4(5) allows at most 48 hours' }, s),
  maxOpenBeforeSecondApproval: (v, p, s) => integerAt(v, p, { min: 0, max: 10_000 }, s),
  minJustificationLength: (v, p, s) =>
    integerAt(v, p, { min: 20, max: 4000, why: 'the contract accepts justifications of 20 to 4000 characters' }, s),
};

const PRESERVATION_READERS: { readonly [K in keyof PreservationRules]-?: Reader<PreservationRules[K]> } = {
  periodDays: (v, p, s) => integerAt(v, p, { min: 1, max: 365 }, s),
  extensionDays: (v, p, s) => integerAt(v, p, { min: 1, max: 365 }, s),
  maxExtensions: (v, p, s) => integerAt(v, p, { min: 0, max: 10 }, s),
};

/** Reads a group of settings; `complete` demands every key (the defaults), otherwise each is optional. */
function readGroup<T extends object>(
  value: unknown,
  path: string,
  readers: { readonly [K in keyof T]-?: Reader<T[K]> },
  complete: boolean,
  problems: SettingProblems,
): Partial<T> {
  const object = value === undefined && !complete ? {} : objectAt(value, path, problems);
  if (object === undefined) return {};
  const keys = Object.keys(readers) as (keyof T & string)[];
  checkKnownKeys(object, path, keys, problems);
  const result: Partial<T> = {};
  for (const key of keys) {
    if (object[key] === undefined) {
      if (complete) problems.add(`${path}.${key}`, 'is required in the defaults');
      continue;
    }
    const read = readers[key](object[key], `${path}.${key}`, problems);
    if (read !== undefined) result[key] = read;
  }
  return result;
}

function readStandard(value: unknown, path: string, complete: boolean, problems: SettingProblems) {
  const readers = Object.fromEntries(REQUEST_TYPES.map((type) => [type, approvalChainAt])) as {
    readonly [K in RequestType]-?: Reader<readonly ApprovalStep[]>;
  };
  return readGroup<Record<RequestType, readonly ApprovalStep[]>>(value, path, readers, complete, problems);
}

function readSettings(value: unknown, path: string, complete: boolean, problems: SettingProblems): PolicySettings {
  const object = objectAt(value, path, problems) ?? {};
  checkKnownKeys(object, path, AGENCY_KEYS, problems);
  const deadline = object.standardDeadlineDays;
  if (deadline === undefined && complete) problems.add(`${path}.standardDeadlineDays`, 'is required in the defaults');
  return {
    standard: readStandard(object.standard, `${path}.standard`, complete, problems),
    standardDeadlineDays:
      deadline === undefined
        ? undefined
        : integerAt(deadline, `${path}.standardDeadlineDays`, { min: 1, max: 365 }, problems),
    emergency: readGroup(object.emergency, `${path}.emergency`, EMERGENCY_READERS, complete, problems),
    preservation: readGroup(object.preservation, `${path}.preservation`, PRESERVATION_READERS, complete, problems),
  };
}

function resolve(agencyId: string, defaults: PolicySettings, own: PolicySettings): AgencyPolicy {
  // Only called when there were no problems, so the defaults are complete.
  return {
    agencyId,
    standard: { ...defaults.standard, ...own.standard } as Record<RequestType, readonly ApprovalStep[]>,
    standardDeadlineDays: own.standardDeadlineDays ?? (defaults.standardDeadlineDays as number),
    emergency: { ...defaults.emergency, ...own.emergency } as EmergencyRules,
    preservation: { ...defaults.preservation, ...own.preservation } as PreservationRules,
  };
}

export class PolicyConfigError extends EvxError {
  constructor(readonly problems: readonly string[]) {
    super(
      'invalid-argument',
      `The workflow policy is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `- ${problem}`).join('\n'),
      'INVALID_POLICY',
    );
    this.name = 'PolicyConfigError';
  }
}

function parse(json: unknown): unknown {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new PolicyConfigError([`(file): not valid JSON: ${(error as Error).message}`]);
  }
}

/**
 * Validates a policy file (its text or its parsed JSON) and resolves each agency's policy: the agency's settings
 * over `defaults`, key by key. Only agencies listed under `agencies` get a policy.
 * @throws PolicyConfigError (invalid-argument) listing every problem, each prefixed by its setting's path
 */
export function loadPolicies(json: unknown): WorkflowPolicies {
  const problems = new SettingProblems();
  const root: JsonObject = objectAt(parse(json), '(root)', problems) ?? {};
  checkKnownKeys(root, '(root)', ['version', 'defaults', 'agencies'], problems);
  if (root.version !== 1) problems.add('version', `must be 1, not ${JSON.stringify(root.version) ?? 'missing'}`);
  const defaults = readSettings(root.defaults, 'defaults', true, problems);
  const agencies: JsonObject = objectAt(root.agencies, 'agencies', problems) ?? {};
  if (Object.keys(agencies).length === 0) problems.add('agencies', 'must list at least one agency');
  const own = new Map<string, PolicySettings>();
  for (const [agencyId, settings] of Object.entries(agencies)) {
    if (agencyId === '$comment') continue;
    if (!AGENCY_ID.test(agencyId)) {
      problems.add(`agencies.${agencyId}`, 'is not an agency id: lowercase [a-z0-9-], as in evx://authority/<agency>/');
    }
    own.set(agencyId, readSettings(settings, `agencies.${agencyId}`, false, problems));
  }
  if (problems.list.length > 0) throw new PolicyConfigError(problems.list);
  const resolved = [...own].map(([agencyId, settings]) => [agencyId, resolve(agencyId, defaults, settings)] as const);
  return { version: 1, agencies: new Map(resolved) };
}
