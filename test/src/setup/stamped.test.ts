// scripts/stamped.sh in a git checkout of its own: a step runs once, is skipped while its inputs are
// unchanged, and runs again when an input's content, its command line, or an output changes.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const STAMPED = fileURLToPath(new URL('../../../scripts/stamped.sh', import.meta.url));

describe('scripts/stamped.sh', function () {
  this.timeout(30_000);
  let repo = '';
  before(async () => {
    repo = await mkdtemp(join(tmpdir(), 'lastgasp-stamped-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    await writeFile(join(repo, 'input.txt'), 'one\n');
    await writeFile(join(repo, '.gitignore'), '/.cache/\nout.txt\n');
  });
  after(async () => {
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  /** Runs the step once; "ran" when its command ran, "skipped" when it was up to date. */
  const step = (message = 'built'): string =>
    execFileSync(
      'bash',
      ['-c', `set -euo pipefail; did=0; source "$1"; stamped demo 'input.txt' out.txt sh -c "echo ${message} > out.txt"; ((did)) && echo ran || echo skipped`, 'bash', STAMPED],
      { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();

  it('runs a step the first time, then skips it while nothing changed', () => {
    expect(step()).to.equal('ran');
    expect(step()).to.equal('skipped');
    expect(step()).to.equal('skipped');
  });

  it("an input's content changed → runs again, then skips", async () => {
    await writeFile(join(repo, 'input.txt'), 'two\n');
    expect(step()).to.equal('ran');
    expect(step()).to.equal('skipped');
  });

  it('an output gone → runs again', async () => {
    await unlink(join(repo, 'out.txt'));
    expect(step()).to.equal('ran');
  });

  it('another command line (e.g. an environment value put on it) → runs again', () => {
    expect(step('other')).to.equal('ran');
    expect(step('other')).to.equal('skipped');
  });

  it('a failing command leaves no stamp: the next run tries again', () => {
    const failing = (): number => {
      try {
        execFileSync('bash', ['-c', `set -euo pipefail; did=0; source "$1"; stamped broken 'input.txt' '' false`, 'bash', STAMPED], { cwd: repo, stdio: 'ignore' });
        return 0;
      } catch (err) {
        return (err as { status: number }).status;
      }
    };
    expect(failing()).to.equal(1);
    expect(failing()).to.equal(1);
  });
});
