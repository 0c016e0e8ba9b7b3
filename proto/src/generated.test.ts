import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCollectorPackageDefinition } from './index.js';

const protoRoot = fileURLToPath(new URL('..', import.meta.url));
const committed = join(protoRoot, 'src/generated');

function files(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('generated types', function () {
  this.timeout(60_000);
  let fresh: string;

  before(() => {
    fresh = mkdtempSync(join(tmpdir(), 'lastgasp-proto-'));
    execFileSync(process.execPath, [join(protoRoot, 'scripts/generate.mjs'), fresh], { stdio: 'pipe' });
  });

  after(() => {
    rmSync(fresh, { recursive: true, force: true });
  });

  it('src/generated equals a fresh generation from lastgasp/v1/collector.proto (else: npm run generate -w proto)', () => {
    const want = files(fresh);
    const have = files(committed);
    expect([...have.keys()].sort(), 'generated file names').to.deep.equal([...want.keys()].sort());
    for (const [name, text] of want) {
      expect(have.get(name), `src/generated/${name} is stale`).to.equal(text);
    }
  });

  it('the loader finds the Collector service with its five methods', () => {
    const def = loadCollectorPackageDefinition();
    const service = def['lastgasp.v1.Collector'] as Record<string, unknown>;
    expect(Object.keys(service).filter((k) => /^[A-Z]/.test(k)).sort()).to.deep.equal([
      'GetIncident',
      'GetStatus',
      'ListHosts',
      'ListIncidents',
      'WatchIncidents',
    ]);
  });
});
