// A warm set-up is a no-op: scripts/setup.sh run twice in a row, the second run has nothing to do
// (every stamped step up to date, no package or binary installed) and says so.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function setup(): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['scripts/setup.sh'], { cwd: REPO, timeout: 30 * 60_000, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
    });
  });
}

describe('scripts/setup.sh on a warm machine', function () {
  this.timeout(40 * 60_000);

  it('the second run in a row does nothing and says so', async () => {
    const first = await setup();
    expect(first.code, first.stderr).to.equal(0);
    const second = await setup();
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.match(/^\[setup\] nothing to do: everything up to date/m);
    for (const step of ['native', 'typescript', 'kernels']) expect(second.stderr).to.contain(`[setup] ${step}: up to date`);
    expect(second.stderr).to.not.match(/npm packages|installing Debian packages|first build/);
  });
});
