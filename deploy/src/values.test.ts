// values.yaml documents every value: each leaf key has a comment right above it, and every key is
// described by values.schema.json (helm lint then rejects undocumented keys in user values).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHART = fileURLToPath(new URL('../helm/lastgasp/', import.meta.url));
const lines = readFileSync(`${CHART}values.yaml`, 'utf8').split('\n');
const schema = JSON.parse(readFileSync(`${CHART}values.schema.json`, 'utf8')) as SchemaNode;

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
}

interface Key {
  path: string;
  line: number;
  leaf: boolean;
  commented: boolean;
}

const indentOf = (s: string): number => s.length - s.trimStart().length;

/** Mapping keys of values.yaml with their dotted paths; list items are part of their key's value. */
function keys(): Key[] {
  const out: Key[] = [];
  const stack: Array<{ indent: number; name: string }> = [];
  lines.forEach((text, i) => {
    const match = /^(\s*)([A-Za-z0-9_.-]+):(\s*(.*))?$/.exec(text);
    if (!match) return;
    const indent = match[1]?.length ?? 0;
    while ((stack.at(-1)?.indent ?? -1) >= indent) stack.pop();
    const name = match[2] ?? '';
    const value = (match[4] ?? '').trim();
    const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
    const leaf = value !== '' || indentOf(next) <= indent || next.trimStart().startsWith('- ');
    const commented = (lines[i - 1] ?? '').trim().startsWith('#');
    out.push({ path: [...stack.map((s) => s.name), name].join('.'), line: i + 1, leaf, commented });
    if (!leaf) stack.push({ indent, name });
  });
  return out;
}

function inSchema(path: string): boolean {
  let node: SchemaNode | undefined = schema;
  for (const part of path.split('.')) {
    if (!node) return false;
    const next: SchemaNode | undefined = node.properties?.[part];
    if (next) node = next;
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else return node.additionalProperties !== false && node.properties === undefined;
  }
  return true;
}

describe('deploy/helm/lastgasp/values.yaml', () => {
  const all = keys();

  it('has values to check', () => {
    expect(all.filter((k) => k.leaf).length).to.be.greaterThan(50);
  });

  it('has a comment right above every leaf value', () => {
    const bare = all.filter((k) => k.leaf && !k.commented).map((k) => `${k.path} (line ${k.line})`);
    expect(bare).to.deep.equal([]);
  });

  it('describes every value in values.schema.json', () => {
    const missing = all.filter((k) => !inSchema(k.path)).map((k) => k.path);
    expect(missing).to.deep.equal([]);
  });

  it('closes every object of the schema that values.yaml fills, so typos are rejected', () => {
    const open: string[] = [];
    const walk = (node: SchemaNode, path: string): void => {
      if (node.properties) {
        if (node.additionalProperties !== false) open.push(path || '(root)');
        for (const [k, child] of Object.entries(node.properties)) walk(child, path ? `${path}.${k}` : k);
      }
    };
    walk(schema, '');
    expect(open).to.deep.equal([]);
  });
});
