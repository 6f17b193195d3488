import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { loadSync, type MessageTypeDefinition } from '@grpc/proto-loader';
import * as wire from './index.js';

// Field by field, for every message and enum of the contracts: the generated interfaces (read from the generated
// source, since interfaces do not exist at run time) declare exactly the properties, optionality and types of the
// objects @grpc/proto-loader decodes with PROTO_LOADER_OPTIONS. A ts-proto or loader option changed on one side only
// fails here.

interface FieldDescriptor {
  name: string;
  label: 'LABEL_OPTIONAL' | 'LABEL_REPEATED' | 'LABEL_REQUIRED';
  type: string;
  typeName: string;
  proto3Optional: boolean;
}
interface DescriptorProto {
  field: FieldDescriptor[];
  nestedType: { options: { mapEntry?: boolean } | null }[];
}
interface EnumDescriptorProto {
  value: { name: string }[];
}
interface DeclaredProperty {
  optional: boolean;
  type: string;
}

const definition = loadSync([...wire.PROTO_FILES.authority, ...wire.PROTO_FILES.providerExchange, ...wire.PROTO_FILES.vault], wire.PROTO_LOADER_OPTIONS);
const generatedDir = join(dirname(fileURLToPath(import.meta.url)), 'generated');
const interfaces = parseInterfaces(readGenerated(generatedDir));

const byFormat = (format: string) => Object.entries(definition).filter(([, d]) => 'format' in d && d.format === format);
const messages = byFormat('Protocol Buffer 3 DescriptorProto') as [string, MessageTypeDefinition<object, object>][];
const enums = byFormat('Protocol Buffer 3 EnumDescriptorProto');

const TS_SCALAR: Record<string, { ts: string; zero: unknown }> = {
  TYPE_STRING: { ts: 'string', zero: '' },
  TYPE_BOOL: { ts: 'boolean', zero: false },
  TYPE_BYTES: { ts: 'Buffer', zero: Buffer.alloc(0) },
  TYPE_DOUBLE: { ts: 'number', zero: 0 },
  TYPE_FLOAT: { ts: 'number', zero: 0 },
  TYPE_INT32: { ts: 'number', zero: 0 },
  TYPE_UINT32: { ts: 'number', zero: 0 },
  TYPE_SINT32: { ts: 'number', zero: 0 },
  TYPE_FIXED32: { ts: 'number', zero: 0 },
  TYPE_SFIXED32: { ts: 'number', zero: 0 },
  TYPE_INT64: { ts: 'string', zero: '0' },
  TYPE_UINT64: { ts: 'string', zero: '0' },
  TYPE_SINT64: { ts: 'string', zero: '0' },
  TYPE_FIXED64: { ts: 'string', zero: '0' },
  TYPE_SFIXED64: { ts: 'string', zero: '0' },
};

describe('generated interfaces against proto-loader objects', () => {
  it('covers the contracts', () => {
    expect(messages.length).toBeGreaterThan(50);
    expect(enums.length).toBeGreaterThan(20);
  });

  it.each(messages.map(([name, type]) => [name, type] as const))('%s', (fullName, type) => {
    const descriptor = type.type as DescriptorProto;
    expect(descriptor.nestedType.some((n) => n.options?.mapEntry)).toBe(false); // no maps yet: teach this test their shape first
    const declared = interfaces.get(interfaceName(fullName));
    expect(declared).toBeDefined();
    const decodedEmpty = type.deserialize(Buffer.alloc(0)) as Record<string, unknown>;

    const expected = new Map<string, DeclaredProperty>();
    for (const field of descriptor.field) {
      const key = protobufjsCamelCase(field.name);
      expect(key).toBe(tsProtoCamelCase(field.name)); // a '_' before a digit would make the two tools disagree
      const present = Object.hasOwn(decodedEmpty, key); // defaults: true fills every field outside a oneof
      const repeated = field.label === 'LABEL_REPEATED';
      const isMessage = field.type === 'TYPE_MESSAGE';
      const element = isMessage || field.type === 'TYPE_ENUM' ? lastSegment(field.typeName) : TS_SCALAR[field.type]!.ts;
      let ts = repeated ? `${element}[]` : element;
      if (!repeated && (isMessage || !present)) ts += field.proto3Optional ? ' | null | undefined' : ' | null';
      expected.set(key, { optional: !repeated && (isMessage || !present), type: ts });

      if (!present) continue;
      const value = decodedEmpty[key];
      if (repeated) expect(value).toEqual([]);
      else if (isMessage) expect(value).toBeNull();
      else if (field.type === 'TYPE_ENUM') expect(value).toBe(zeroName(field.typeName));
      else expect(value).toStrictEqual(TS_SCALAR[field.type]!.zero);
    }
    expect(Object.fromEntries(declared!)).toEqual(Object.fromEntries(expected));
  });

  it.each(enums.map(([name, type]) => [name, type] as const))('%s', (fullName, type) => {
    const names = (type.type as EnumDescriptorProto).value.map((v) => v.name);
    const generated = (wire as unknown as Record<string, unknown>)[lastSegment(fullName)];
    expect(generated).toEqual(Object.fromEntries(names.map((n) => [n, n])));
  });
});

function interfaceName(fullName: string): string {
  return fullName.replace(/^(evx\.v1|google\.protobuf)\./, '').replace(/\./g, '_');
}

function lastSegment(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf('.') + 1);
}

function zeroName(enumTypeName: string): string {
  const found = enums.find(([name]) => lastSegment(name) === lastSegment(enumTypeName));
  return (found![1].type as EnumDescriptorProto).value[0]!.name;
}

/** How protobufjs (and so proto-loader with keepCase: false) names a field. */
function protobufjsCamelCase(name: string): string {
  return name.slice(0, 1) + name.slice(1).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** How ts-proto (snakeToCamel) names a field. */
function tsProtoCamelCase(name: string): string {
  return name
    .split('_')
    .map((word, i) => (i === 0 ? word : word.slice(0, 1).toUpperCase() + word.slice(1)))
    .join('');
}

function readGenerated(dir: string): string {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}

/** `export interface Name { prop?: Type; ... }` blocks of the generated source, skipping comments. */
function parseInterfaces(source: string): Map<string, Map<string, DeclaredProperty>> {
  const result = new Map<string, Map<string, DeclaredProperty>>();
  for (const [, name, body] of source.matchAll(/^export interface (\w+) \{\n([\s\S]*?)^\}/gm)) {
    if (/(Client|Controller)$/.test(name!)) continue;
    const properties = new Map<string, DeclaredProperty>();
    let pending = ''; // the formatter wraps long unions over several lines
    for (const line of body!.split('\n')) {
      if (/^\s*(\/\*\*|\*|\*\/|$)/.test(line)) continue;
      pending = pending ? `${pending} ${line.trim()}` : line;
      if (!pending.endsWith(';')) continue;
      const match = /^ {2}(\w+)(\??): (?:\| )?(.+);$/.exec(pending);
      if (!match) throw new Error(`cannot read a property of interface ${name}: ${pending}`);
      properties.set(match[1]!, { optional: match[2] === '?', type: match[3]! });
      pending = '';
    }
    result.set(name!, properties);
  }
  return result;
}
