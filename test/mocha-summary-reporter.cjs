// Mocha reporter: the spec reporter's output, then one closing line `<suite>: N passed, N failed`.
// When LASTGASP_TEST_SUMMARY names a file, the counts are also appended to it as `passed failed pending`,
// so scripts/test.sh can print the total over unit, integration and end-to-end runs.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      const label = process.env.LASTGASP_TEST_SUITE || 'tests';
      const skipped = pending ? `, ${pending} skipped` : '';
      process.stdout.write(`${label}: ${passes} passed, ${failures} failed${skipped}\n`);
      if (process.env.LASTGASP_TEST_SUMMARY) {
        fs.appendFileSync(process.env.LASTGASP_TEST_SUMMARY, `${passes} ${failures} ${pending}\n`);
      }
    });
  }
}

module.exports = SummaryReporter;
