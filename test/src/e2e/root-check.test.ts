import { expect } from 'chai';
import { checkRoot, NOT_ROOT_EXIT_CODE } from './root-check.js';

describe('checkRoot (the demo’s root requirement)', () => {
  it('uid 0 → ok', () => {
    expect(checkRoot({ uid: 0, command: 'npm run demo', cwd: '/src/lastgasp' })).to.deep.equal({ ok: true });
  });

  const refused: { name: string; uid: number | undefined }[] = [
    { name: 'uid 1000', uid: 1000 },
    { name: 'no uid (not POSIX)', uid: undefined },
  ];
  for (const { name, uid } of refused) {
    it(`${name} → refused with exit ${NOT_ROOT_EXIT_CODE} and the exact command to run`, () => {
      const result = checkRoot({ uid, command: 'npm run demo', cwd: '/src/last gasp' });
      if (result.ok) throw new Error('expected a refusal');
      expect(result.exitCode).to.equal(NOT_ROOT_EXIT_CODE);
      expect(result.message).to.contain('needs root');
      expect(result.message).to.contain(`cd '/src/last gasp' && sudo -E env "PATH=$PATH" npm run demo`);
    });
  }

  it("a working directory with a quote → quoted for the shell: /tmp/it's", () => {
    const result = checkRoot({ uid: 1000, command: 'npm run demo', cwd: "/tmp/it's" });
    expect(result.ok ? '' : result.message).to.contain(`cd '/tmp/it'\\''s' && sudo`);
  });
});
