// Repairs the file descriptors that @grpc/proto-loader (through protobufjs) produces, so that server
// reflection clients that build real descriptors (grpcurl, Go's protodesc) accept them:
// - every type reference fully qualified (`.google.protobuf.Timestamp`, `.lastgasp.v1.Host`);
// - `dependency` lists the files those references live in (protobufjs leaves it empty, so a client
//   cannot resolve well-known types; grpc-node issue 2958);
// - JSON names in lowerCamelCase as protoc sets them (protobufjs copies the field name);
// - implicit map entry types named `<FieldInCamelCase>Entry` as protoc names them (protobufjs drops the
//   `Entry` suffix, which protodesc rejects).
// Only reflection sees these descriptors; the wire format (field numbers, types) is unchanged.
import type { PackageDefinition } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import type * as Descriptor from 'protobufjs/ext/descriptor/index.js';

type FileDescriptor = Descriptor.IFileDescriptorProto;
type MessageDescriptor = Descriptor.IDescriptorProto;

const { FileDescriptorProto } = createRequire(import.meta.url)('protobufjs/ext/descriptor/index.js') as typeof Descriptor;

function camel(fieldName: string): string {
  return fieldName
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** protoc's JSON name: lowerCamelCase of the field name (`start_time` → `startTime`). */
function jsonName(fieldName: string): string {
  const upper = camel(fieldName);
  return upper.charAt(0).toLowerCase() + upper.slice(1);
}

/** Renames map entry types of `message` (recursively) and points their fields at the new names. */
function renameMapEntries(message: MessageDescriptor): void {
  const renamed = new Map<string, string>();
  for (const nested of message.nestedType ?? []) {
    renameMapEntries(nested);
    if (nested.options?.mapEntry !== true || nested.name === undefined) continue;
    const field = (message.field ?? []).find((f) => f.typeName === nested.name || f.typeName?.endsWith(`.${nested.name}`));
    if (field?.name === undefined) continue;
    const want = `${camel(field.name)}Entry`;
    renamed.set(nested.name, want);
    nested.name = want;
  }
  for (const field of message.field ?? []) {
    const last = field.typeName?.split('.').at(-1);
    const to = last === undefined ? undefined : renamed.get(last);
    if (to !== undefined && field.typeName !== undefined) field.typeName = field.typeName.slice(0, -(last?.length ?? 0)) + to;
  }
}

/** Every message and enum, by fully qualified name (no leading dot), with the file defining it. */
function symbolTable(files: readonly FileDescriptor[]): Map<string, string> {
  const symbols = new Map<string, string>();
  const addMessages = (scope: string, messages: readonly MessageDescriptor[], file: string): void => {
    for (const m of messages) {
      const name = `${scope}${m.name ?? ''}`;
      symbols.set(name, file);
      for (const e of m.enumType ?? []) symbols.set(`${name}.${e.name ?? ''}`, file);
      addMessages(`${name}.`, m.nestedType ?? [], file);
    }
  };
  for (const f of files) {
    const scope = f.package ? `${f.package}.` : '';
    for (const e of f.enumType ?? []) symbols.set(`${scope}${e.name ?? ''}`, f.name ?? '');
    addMessages(scope, f.messageType ?? [], f.name ?? '');
  }
  return symbols;
}

/** Resolves `ref` as protoc does: innermost scope outwards. Returns the name with a leading dot. */
function qualify(ref: string, scope: string, symbols: Map<string, string>, deps: Set<string>): string {
  if (ref.startsWith('.')) return ref;
  const parts = scope === '' ? [] : scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), ref].join('.');
    const file = symbols.get(candidate);
    if (file !== undefined) {
      deps.add(file);
      return `.${candidate}`;
    }
  }
  return ref;
}

function fixFile(file: FileDescriptor, symbols: Map<string, string>): FileDescriptor {
  const deps = new Set<string>();
  const pkg = file.package ?? '';
  const visit = (scope: string, messages: readonly MessageDescriptor[]): void => {
    for (const m of messages) {
      const inner = scope === '' ? (m.name ?? '') : `${scope}.${m.name ?? ''}`;
      for (const field of m.field ?? []) {
        if (field.typeName) field.typeName = qualify(field.typeName, inner, symbols, deps);
        if (field.name !== undefined) field.jsonName = jsonName(field.name);
      }
      visit(inner, m.nestedType ?? []);
    }
  };
  visit(pkg, file.messageType ?? []);
  for (const service of file.service ?? []) {
    for (const method of service.method ?? []) {
      if (method.inputType) method.inputType = qualify(method.inputType, pkg, symbols, deps);
      if (method.outputType) method.outputType = qualify(method.outputType, pkg, symbols, deps);
    }
  }
  deps.delete(file.name ?? '');
  return { ...file, dependency: [...deps].sort() };
}

/** A copy of `definition` whose descriptors reflection clients accept. */
export function reflectionDefinition(definition: PackageDefinition): PackageDefinition {
  const files = new Map<string, FileDescriptor>();
  for (const entry of Object.values(definition)) {
    const protos = (entry as { fileDescriptorProtos?: unknown }).fileDescriptorProtos;
    if (!Array.isArray(protos)) continue;
    for (const bin of protos as Uint8Array[]) {
      const file = FileDescriptorProto.toObject(FileDescriptorProto.decode(bin)) as FileDescriptor;
      if (file.name !== undefined && !files.has(file.name)) files.set(file.name, file);
    }
  }
  for (const file of files.values()) for (const m of file.messageType ?? []) renameMapEntries(m);
  const symbols = symbolTable([...files.values()]);
  const encoded = [...files.values()].map((f) => FileDescriptorProto.encode(FileDescriptorProto.fromObject(fixFile(f, symbols))).finish());
  return Object.fromEntries(
    Object.entries(definition).map(([name, entry]) => [name, { ...entry, fileDescriptorProtos: encoded }]),
  ) as PackageDefinition;
}
