// One version for the project: the root package.json's, read by every binary (@lastgasp/proto/version);
// every workspace and the chart carry the same.
import { VERSION } from '@lastgasp/proto/version';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as { version?: string };

describe('the project version', () => {
  it('is the root package.json version, a semantic version', () => {
    expect(VERSION).to.equal(json('package.json').version);
    expect(VERSION).to.match(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  for (const workspace of ['proto', 'collector', 'agent', 'test']) {
    it(`${workspace}/package.json carries it`, () => expect(json(`${workspace}/package.json`).version).to.equal(VERSION));
  }

  it("the chart's version and appVersion are it (image tags default to appVersion)", () => {
    const chart = parse(readFileSync(join(ROOT, 'deploy/helm/lastgasp/Chart.yaml'), 'utf8')) as { version?: string; appVersion?: string };
    expect(chart.version).to.equal(VERSION);
    expect(chart.appVersion).to.equal(VERSION);
  });
});

describe('every binary says the project version', function () {
  this.timeout(60_000);
  const binaries: [string, string, string][] = [
    ['lastgasp-collector', 'collector/src/main.ts', `lastgasp-collector ${VERSION}\n`],
    ['lastgasp-agent', 'agent/src/main.ts', `lastgasp-agent ${VERSION}\n`],
    ['lastgasp (the CLI)', 'collector/src/cli/main.ts', `lastgasp ${VERSION}\n`],
  ];
  for (const [name, entry, want] of binaries) {
    it(`${name} --version → "${want.trim()}", exit 0`, () => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=lastgasp-source', entry, '--version'], { cwd: ROOT, encoding: 'utf8' });
      expect(out).to.equal(want);
    });
  }
});
