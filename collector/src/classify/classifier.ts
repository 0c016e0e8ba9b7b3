// Classify stage: maps one record's text to the first matching rule. Pure.
import type { Rule, Rules } from './rules.js';

export interface Classifier {
  /** The first rule whose pattern matches `text`, or null. */
  match(text: string): Rule | null;
  isEndOfPanic(text: string): boolean;
  isEndOfTrace(text: string): boolean;
}

/** Only records that start like this can be a trailer; saves two regex runs per ordinary record. */
const TRAILER_START = '---[';

/**
 * One regular expression matching wherever any rule's pattern matches, so a record that matches no
 * rule (nearly all) costs one search instead of one per rule. Null when the patterns cannot be joined
 * without changing their meaning (backreferences are numbered per pattern) or do not compile together.
 */
function anyRulePattern(patterns: RegExp[]): RegExp | null {
  if (patterns.some((p) => p.flags !== '' || /\\[1-9]|\\k</.test(p.source))) return null;
  try {
    return new RegExp(patterns.map((p) => `(?:${p.source})`).join('|'));
  } catch {
    return null;
  }
}

export function createClassifier(rules: Rules): Classifier {
  const list = rules.rules;
  const any = anyRulePattern(list.map((rule) => rule.pattern));
  return {
    match(text) {
      if (any !== null && !any.test(text)) return null;
      for (const rule of list) {
        if (rule.pattern.test(text)) return rule;
      }
      return null;
    },
    isEndOfPanic: (text) => text.startsWith(TRAILER_START) && rules.endOfPanic.test(text),
    isEndOfTrace: (text) => text.startsWith(TRAILER_START) && rules.endOfTrace.test(text),
  };
}
