// Reads untyped JSON into typed settings, recording every problem with the exact path of the setting at fault, so
// that whoever edits the policy file is told which line to fix. Small and explicit instead of class-validator
// because the file is nested maps keyed by agency and category, which decorators describe badly.
import { APPROVER_ROLES, type ApproverRole, REQUEST_TYPES, type RequestType } from '../model/workflow.vocabulary.js';

export type JsonObject = Readonly<Record<string, unknown>>;

/** Keys that are ignored wherever they appear: JSON has no comments. */
const COMMENT_KEY = '$comment';

export class SettingProblems {
  readonly list: string[] = [];

  add(path: string, message: string): undefined {
    this.list.push(`${path}: ${message}`);
    return undefined;
  }
}

export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? 'an object' : String(value);
}

export function objectAt(value: unknown, path: string, problems: SettingProblems): JsonObject | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  return problems.add(path, `must be an object, not ${describeValue(value)}`);
}

/** Refuses keys the reader does not know: a misspelt setting must not silently fall back to its default. */
export function checkKnownKeys(
  object: JsonObject,
  path: string,
  known: readonly string[],
  problems: SettingProblems,
): void {
  for (const key of Object.keys(object)) {
    if (key !== COMMENT_KEY && !known.includes(key)) {
      problems.add(`${path}.${key}`, `unknown setting; expected one of ${known.join(', ')}`);
    }
  }
}

export function integerAt(
  value: unknown,
  path: string,
  range: { readonly min: number; readonly max: number; readonly why?: string },
  problems: SettingProblems,
): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return problems.add(path, `must be a whole number, not ${describeValue(value)}`);
  }
  if (value < range.min || value > range.max) {
    const why = range.why === undefined ? '' : ` (${range.why})`;
    return problems.add(path, `must be from ${range.min} to ${range.max}, not ${value}${why}`);
  }
  return value;
}

function listAt(value: unknown, path: string, problems: SettingProblems): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : problems.add(path, `must be a list, not ${describeValue(value)}`);
}

export function roleOf(value: unknown, path: string, problems: SettingProblems, where = ''): ApproverRole | undefined {
  const found = APPROVER_ROLES.find((role) => role === value);
  if (found !== undefined) return found;
  return problems.add(
    path,
    `unknown approver role ${describeValue(value)}${where}; expected one of ${APPROVER_ROLES.join(', ')}`,
  );
}

export function requestTypeOf(value: unknown, path: string, problems: SettingProblems): RequestType | undefined {
  const found = REQUEST_TYPES.find((type) => type === value);
  if (found !== undefined) return found;
  return problems.add(
    path,
    `unknown request type ${describeValue(value)}; expected one of ${REQUEST_TYPES.join(', ')}`,
  );
}

/** A list of distinct members, each read by `read`; undefined when anything is wrong. */
export function distinctListAt<T>(
  value: unknown,
  path: string,
  problems: SettingProblems,
  read: (member: unknown, path: string, problems: SettingProblems) => T | undefined,
  options: { readonly allowEmpty: boolean },
): readonly T[] | undefined {
  const list = listAt(value, path, problems);
  if (list === undefined) return undefined;
  if (list.length === 0 && !options.allowEmpty) return problems.add(path, 'must not be empty');
  const before = problems.list.length;
  const members = list.map((member) => read(member, path, problems));
  if (problems.list.length > before) return undefined;
  if (new Set(members).size !== members.length) return problems.add(path, 'lists a value twice');
  return members as T[];
}

/**
 * An approval chain: a list of steps in order, each step a role or several joined by "|" (any one of them), e.g.
 * ["SUPERVISOR", "PROSECUTOR|JUDGE"].
 */
export function approvalChainAt(
  value: unknown,
  path: string,
  problems: SettingProblems,
): readonly (readonly ApproverRole[])[] | undefined {
  const list = listAt(value, path, problems);
  if (list === undefined) return undefined;
  if (list.length === 0) return problems.add(path, 'must name at least one approval step: no data moves unapproved');
  const before = problems.list.length;
  const steps = list.map((step, index) => {
    const where = ` in step ${index + 1}`;
    if (typeof step !== 'string') return problems.add(path, `step ${index + 1} must be a role name such as "JUDGE"`);
    const roles = step.split('|').map((name) => roleOf(name.trim(), path, problems, where));
    if (roles.includes('DUTY_OFFICER')) {
      problems.add(path, `DUTY_OFFICER${where} approves emergency orders only; use emergency.approverRoles`);
    }
    if (new Set(roles).size !== roles.length) problems.add(path, `step ${index + 1} names a role twice`);
    return roles;
  });
  return problems.list.length > before ? undefined : (steps as ApproverRole[][]);
}
