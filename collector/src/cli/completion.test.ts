// The completion scripts run in the real shells: bash, and zsh through bashcompinit (both installed by
// scripts/setup.sh). zsh's own completion system filters candidates by the typed prefix, so under zsh the
// function offers every candidate for the position and the test checks the set.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { completionCandidates, runCli } from './lastgasp-cli.js';

async function script(shell: 'bash' | 'zsh'): Promise<string> {
  let out = '';
  const code = await runCli(['completion', shell], {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: () => true },
    env: {},
    columns: undefined,
    now: () => 0,
    onInterrupt: () => () => {},
  });
  expect(code).to.equal(0);
  return out;
}

describe('lastgasp completion', function () {
  this.timeout(30_000);
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-completion-'));
    await writeFile(join(dir, 'lastgasp.bash'), await script('bash'));
    await writeFile(join(dir, 'lastgasp.zsh'), await script('zsh'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** COMPREPLY for the words typed so far (the last one being completed), in bash. */
  const bash = (words: string[]): string[] => {
    const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _lastgasp_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', program, 'bash', join(dir, 'lastgasp.bash'), ...words], { encoding: 'utf8' }).split('\n').filter((w) => w !== '');
  };

  const cases: [string[], string[]][] = [
    [['lastgasp', 'st'], ['status']],
    [['lastgasp', '--server', 'x:6667', 'inc'], ['incidents', 'incident']],
    [['kubectl-lastgasp', '-o', ''], ['table', 'wide', 'json', 'yaml']],
    [['lastgasp', 'incidents', '--s'], ['--since', '--server']],
    [['lastgasp', 'watch', '--f'], ['--from']],
    [['lastgasp', 'completion', ''], ['bash', 'zsh']],
    [['lastgasp', '--server', ''], []],
  ];
  for (const [words, want] of cases) {
    it(`bash: ${words.join(' ')}␣ → ${want.join(' ') || 'nothing'}`, () => expect(bash(words)).to.have.members(want));
  }

  const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, columns: undefined, now: () => 0, onInterrupt: () => () => {} };
  for (const [words] of cases) {
    it(`kubectl's plugin completion answers as bash does: kubectl lastgasp ${words.slice(1).join(' ')}␣`, () => {
      const lines = completionCandidates(words.slice(1), io).trimEnd().split('\n');
      expect(lines.at(-1)).to.equal(':4');
      expect(lines.slice(0, -1)).to.have.members(bash(words));
    });
  }

  it('zsh: both names are registered and each position offers its candidates', () => {
    const program = [
      'source "$1"',
      'print -r -- "registered: ${_comps[lastgasp]} | ${_comps[kubectl-lastgasp]}"',
      'emulate -L sh; setopt kshglob noshglob braceexpand',
      'COMP_WORDS=(lastgasp --server x:6667 ""); COMP_CWORD=3; _lastgasp_complete; echo "commands: ${COMPREPLY[*]}"',
      'COMP_WORDS=(lastgasp -o ""); COMP_CWORD=2; _lastgasp_complete; echo "formats: ${COMPREPLY[*]}"',
    ].join('\n');
    const out = execFileSync('zsh', ['-f', '-c', program, 'zsh', join(dir, 'lastgasp.zsh')], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
    expect(out).to.contain('registered: _bash_complete -F _lastgasp_complete | _bash_complete -F _lastgasp_complete');
    expect(/^commands: (.*)$/m.exec(out)?.[1]?.split(' ')).to.have.members(['status', 'hosts', 'incidents', 'incident', 'watch', 'completion']);
    expect(/^formats: (.*)$/m.exec(out)?.[1]?.split(' ')).to.have.members(['table', 'wide', 'json', 'yaml']);
  });
});
