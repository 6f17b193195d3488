// The vocabulary must stay the proto's enum value names minus their prefix. This spec reads the .proto sources
// (the domain itself never imports #evx/proto), so a value added to either side fails here first.
import { readFileSync } from 'node:fs';
import {
  APPROVAL_DECISIONS,
  APPROVAL_KINDS,
  APPROVER_ROLES,
  DESIRED_STATUSES,
  EMERGENCY_THREATS,
  EMERGENCY_VALIDATION_STATUSES,
  fromProtoName,
  PROTO_ENUM_PREFIX,
  REFUSAL_GROUNDS,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  toProtoName,
  TYPES_OF_CASE,
  URGENCIES,
} from './workflow.vocabulary.js';

function protoEnums(): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  for (const file of ['authorisation.proto', 'common.proto']) {
    const text = readFileSync(new URL(`../../../../proto/evx/v1/${file}`, import.meta.url), 'utf8');
    for (const [, name, body] of text.matchAll(/^enum (\w+) \{([^}]*)\}/gm)) {
      enums.set(
        name,
        [...body.matchAll(/^\s*(\w+) = \d+;/gm)].map((match) => match[1]),
      );
    }
  }
  return enums;
}

const VOCABULARIES: Record<keyof typeof PROTO_ENUM_PREFIX, readonly string[]> = {
  RequestStatus: REQUEST_STATUSES,
  RequestDesiredStatus: DESIRED_STATUSES,
  Urgency: URGENCIES,
  EmergencyThreat: EMERGENCY_THREATS,
  TypeOfCase: TYPES_OF_CASE,
  RequestType: REQUEST_TYPES,
  ApproverRole: APPROVER_ROLES,
  ApprovalKind: APPROVAL_KINDS,
  ApprovalDecision: APPROVAL_DECISIONS,
  EmergencyValidationStatus: EMERGENCY_VALIDATION_STATUSES,
  RefusalGround: REFUSAL_GROUNDS,
};

describe('vocabulary ↔ evx.v1 enums', () => {
  const enums = protoEnums();

  it.each(Object.entries(VOCABULARIES))('%s matches the proto value for value, in order', (name, values) => {
    const prefix = PROTO_ENUM_PREFIX[name as keyof typeof PROTO_ENUM_PREFIX];
    const proto = enums.get(name);
    expect(proto).toBeDefined();
    expect(proto?.filter((value) => !value.endsWith('_UNSPECIFIED'))).toEqual(
      values.map((v) => toProtoName(prefix, v)),
    );
  });

  it('maps back from proto names and refuses UNSPECIFIED with the field named', () => {
    expect(fromProtoName('REQUEST_TYPE_', REQUEST_TYPES, 'REQUEST_TYPE_TRAFFIC_DATA', 'request_types[0]')).toBe(
      'TRAFFIC_DATA',
    );
    expect(() => fromProtoName('URGENCY_', URGENCIES, 'URGENCY_UNSPECIFIED', 'details.urgency')).toThrow(
      'details.urgency is "URGENCY_UNSPECIFIED"; it must be one of URGENCY_STANDARD, URGENCY_EMERGENCY.',
    );
  });
});
