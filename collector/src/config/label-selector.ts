// Kubernetes label selector strings (the `-l` syntax): `key`, `!key`, `key=value`, `key==value`,
// `key!=value`, `key in (a,b)`, `key notin (a,b)`, joined by commas (AND). The empty selector matches
// nothing here: an empty exclusion list excludes no Node.

export type Requirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] };

export interface LabelSelector {
  requirements: Requirement[];
  matches(labels: Readonly<Record<string, string>>): boolean;
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]{0,61}[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]{0,61}[a-z0-9A-Z])?)?$/;

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function checkKey(key: string, term: string): string {
  if (!KEY.test(key)) throw new Error(`invalid label key "${key}" in "${term}"`);
  return key;
}

function checkValues(values: string[], term: string): string[] {
  for (const v of values) if (!VALUE.test(v)) throw new Error(`invalid label value "${v}" in "${term}"`);
  return values;
}

function parseTerm(term: string): Requirement {
  if (term === '') throw new Error('empty term in label selector');
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set !== null) {
    const [, key = '', op, list = ''] = set;
    const values = checkValues(
      list.split(',').map((v) => v.trim()),
      term,
    );
    return { op: op === 'in' ? 'in' : 'notin', key: checkKey(key, term), values };
  }
  const cmp = /^([^=!\s]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
  if (cmp !== null) {
    const [, key = '', op, value = ''] = cmp;
    return { op: op === '!=' ? 'notin' : 'in', key: checkKey(key, term), values: checkValues([value], term) };
  }
  if (term.startsWith('!')) return { op: 'notexists', key: checkKey(term.slice(1).trim(), term) };
  return { op: 'exists', key: checkKey(term, term) };
}

function matchesOne(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key] ?? '');
    case 'notin':
      return !has || !r.values.includes(labels[r.key] ?? '');
  }
}

/** Throws an Error describing the first bad term. */
export function parseLabelSelector(text: string): LabelSelector {
  const trimmed = text.trim();
  const requirements = trimmed === '' ? [] : splitTerms(trimmed).map(parseTerm);
  return {
    requirements,
    matches: (labels) => requirements.length > 0 && requirements.every((r) => matchesOne(r, labels)),
  };
}
