// Classification rules are data (collector/rules/kernel-rules.json), loaded and validated once at
// start-up. A bad file fails start-up with a RulesError naming the rule (index and name) and field.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isReasonCode, REASON_CODES, type ReasonCode } from '../types.js';

export interface Rule {
  name: string;
  reason: ReasonCode;
  /** Matched against a record's text (no header, no timestamp prefix). First matching rule wins. */
  pattern: RegExp;
  /** Whether the record means the node is dead and must be remediated. */
  fatal: boolean;
  /** Whether this record, seen shortly before a fatal one, is reported as that incident's cause. */
  cause: boolean;
}

export interface Rules {
  rules: Rule[];
  /** The panic trailer `---[ end Kernel panic - not syncing: ... ]---`: ends a fatal incident's capture. */
  endOfPanic: RegExp;
  /** `---[ end trace ... ]---`: ends a non-fatal incident's capture (an oops or warning report). */
  endOfTrace: RegExp;
}

export class RulesError extends Error {
  readonly code = 'ERR_LASTGASP_RULES';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'RulesError';
  }
}

/** The rules file shipped with the collector. */
export const SHIPPED_RULES_PATH = fileURLToPath(new URL('../../rules/kernel-rules.json', import.meta.url));

const RULE_FIELDS = ['name', 'reason', 'pattern', 'fatal', 'cause'];
const TOP_FIELDS = ['endOfPanic', 'endOfTrace', 'rules'];

/** Reads and validates a rules file; throws RulesError (or the read error with the path) when it is bad. */
export function loadRules(path: string = SHIPPED_RULES_PATH): Rules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RulesError(`rules file ${path}: ${err instanceof Error ? err.message : String(err)}`, 'file');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RulesError(`rules file ${path}: not JSON: ${err instanceof Error ? err.message : String(err)}`, 'file');
  }
  return parseRules(data, path);
}

/** Validates already-parsed rules data; `origin` names it in error messages. */
export function parseRules(data: unknown, origin = 'rules'): Rules {
  if (!isObject(data)) throw new RulesError(`${origin}: must be an object with "rules"`, 'rules');
  for (const key of Object.keys(data)) {
    if (!TOP_FIELDS.includes(key)) throw new RulesError(`${origin}: unknown field "${key}"`, key);
  }
  const list = data.rules;
  if (!Array.isArray(list) || list.length === 0) {
    throw new RulesError(`${origin}: "rules" must be a non-empty array`, 'rules');
  }
  const rules = list.map((raw: unknown, index) => parseRule(raw, `${origin}: rule #${index}`));
  const names = new Set<string>();
  rules.forEach((rule, index) => {
    if (names.has(rule.name)) {
      throw new RulesError(`${origin}: rule #${index} "${rule.name}": field "name": duplicate`, 'name');
    }
    names.add(rule.name);
  });
  if (!rules.some((rule) => rule.fatal)) {
    throw new RulesError(`${origin}: no rule has "fatal": true; no panic could ever be remediated`, 'fatal');
  }
  return {
    rules,
    endOfPanic: compile(data.endOfPanic ?? '^---\\[ end Kernel panic', `${origin}: field "endOfPanic"`, 'endOfPanic'),
    endOfTrace: compile(data.endOfTrace ?? '^---\\[ end trace', `${origin}: field "endOfTrace"`, 'endOfTrace'),
  };
}

function parseRule(raw: unknown, where: string): Rule {
  if (!isObject(raw)) throw new RulesError(`${where}: must be an object`, 'rule');
  const name = raw.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new RulesError(`${where}: field "name": must be a non-empty string`, 'name');
  }
  const label = `${where} "${name}"`;
  for (const key of Object.keys(raw)) {
    if (!RULE_FIELDS.includes(key)) throw new RulesError(`${label}: unknown field "${key}"`, key);
  }
  if (!isReasonCode(raw.reason)) {
    throw new RulesError(`${label}: field "reason": must be one of ${REASON_CODES.join(', ')}`, 'reason');
  }
  for (const flag of ['fatal', 'cause'] as const) {
    if (typeof raw[flag] !== 'boolean') throw new RulesError(`${label}: field "${flag}": must be true or false`, flag);
  }
  return {
    name,
    reason: raw.reason,
    pattern: compile(raw.pattern, `${label}: field "pattern"`, 'pattern'),
    fatal: raw.fatal === true,
    cause: raw.cause === true,
  };
}

function compile(source: unknown, where: string, field: string): RegExp {
  if (typeof source !== 'string' || source === '') throw new RulesError(`${where}: must be a non-empty string`, field);
  try {
    return new RegExp(source);
  } catch (err) {
    throw new RulesError(`${where}: invalid regular expression: ${err instanceof Error ? err.message : String(err)}`, field);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
