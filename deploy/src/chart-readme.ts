// The chart's README: a hand-written part (README.md.tmpl) and the table of values made from
// values.yaml's `# --` comments (the helm-docs convention: a `# --` comment right above a key, with its
// continuation lines, describes that key; its default is the value in values.yaml). Pure; write it with
// `npx tsx deploy/src/write-chart-readme.ts`, and a test fails when the README is stale.
import { parse } from 'yaml';

export interface ValueRow {
  key: string;
  type: string;
  default: string;
  description: string;
}

const KEY = /^(\s*)([A-Za-z0-9_.-]+):(?:\s|$)/;

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'string';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return 'string';
}

function at(root: unknown, path: string[]): unknown {
  let node = root;
  for (const p of path) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[p] : undefined;
  return node;
}

/** Every key of `valuesYaml` with a `# --` comment, in file order. */
export function valueRows(valuesYaml: string): ValueRow[] {
  const values: unknown = parse(valuesYaml);
  const lines = valuesYaml.split('\n');
  const stack: { indent: number; name: string }[] = [];
  const rows: ValueRow[] = [];
  let comment: string[] | null = null;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed.startsWith('# --')) {
      comment = [trimmed.slice(4).trim()];
      continue;
    }
    if (trimmed.startsWith('#')) {
      comment?.push(trimmed.slice(1).trim());
      continue;
    }
    const m = KEY.exec(line);
    if (m === null) {
      if (trimmed !== '' && !trimmed.startsWith('- ')) comment = null;
      continue;
    }
    const indent = m[1]?.length ?? 0;
    while ((stack.at(-1)?.indent ?? -1) >= indent) stack.pop();
    const name = m[2] ?? '';
    const path = [...stack.map((s) => s.name), name];
    stack.push({ indent, name });
    if (comment !== null) {
      const value = at(values, path);
      rows.push({ key: path.join('.'), type: typeOf(value), default: JSON.stringify(value ?? null), description: comment.join(' ').trim() });
    }
    comment = null;
  }
  return rows;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function valuesTable(rows: readonly ValueRow[]): string {
  const out = ['| Key | Type | Default | Description |', '|-----|------|---------|-------------|'];
  for (const r of rows) out.push(`| ${cell(r.key)} | ${r.type} | \`${cell(r.default)}\` | ${cell(r.description)} |`);
  return `${out.join('\n')}\n`;
}

/** The README: the template with `{{ values }}` replaced by the table. */
export function chartReadme(template: string, valuesYaml: string): string {
  if (!template.includes('{{ values }}')) throw new Error('README.md.tmpl has no {{ values }} placeholder');
  return template.replace('{{ values }}', valuesTable(valueRows(valuesYaml)).trimEnd());
}
