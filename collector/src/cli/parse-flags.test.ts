import { expect } from 'chai';
import { InvalidArgumentError } from 'commander';
import { parseDuration } from './lastgasp-cli.js';

describe('lastgasp CLI duration flags (--timeout, --since)', () => {
  it('take the shared syntax: Go-style terms and days', () => {
    expect(parseDuration('1h30m')).to.equal(5_400_000);
    expect(parseDuration('7d')).to.equal(604_800_000);
    expect(parseDuration('500ms')).to.equal(500);
  });

  it('refuse anything else with the examples', () => {
    for (const bad of ['soon', '10', '1h 30m', '-5m']) expect(() => parseDuration(bad), bad).to.throw(InvalidArgumentError, /1h30m/);
  });
});
