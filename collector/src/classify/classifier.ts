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

export function createClassifier(rules: Rules): Classifier {
  const list = rules.rules;
  return {
    match(text) {
      for (const rule of list) {
        if (rule.pattern.test(text)) return rule;
      }
      return null;
    },
    isEndOfPanic: (text) => text.startsWith(TRAILER_START) && rules.endOfPanic.test(text),
    isEndOfTrace: (text) => text.startsWith(TRAILER_START) && rules.endOfTrace.test(text),
  };
}
