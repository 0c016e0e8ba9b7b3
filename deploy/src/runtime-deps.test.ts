// scripts/runtime-deps.mjs, which gives each image only its own workspace's production dependencies,
// on a small installed tree laid out as npm lays out workspaces: hoisted packages, a nested second
// version, a workspace link, a dev-only package, a bundled package and a type package.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/runtime-deps.mjs', import.meta.url));

async function pkg(dir: string, name: string, deps: Record<string, string> = {}, extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', dependencies: deps, ...extra }));
  await writeFile(join(dir, 'index.js'), `// ${name}\n`);
}

describe('scripts/runtime-deps.mjs', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lastgasp-runtime-deps-'));
    await pkg(join(root, 'app'), '@x/app', { a: '1', '@x/lib': '1', bundled: '1' }, { devDependencies: { devonly: '1' } });
    await pkg(join(root, 'lib'), '@x/lib', { c: '1' });
    await pkg(join(root, 'other'), '@x/other', { huge: '1' });
    const nm = join(root, 'node_modules');
    await pkg(join(nm, 'a'), 'a', { b: '2', '@types/node': '1' }, { optionalDependencies: { absent: '1', opt: '1' } });
    await pkg(join(nm, 'a/node_modules/b'), 'b');
    await pkg(join(nm, 'b'), 'b');
    await pkg(join(nm, 'c'), 'c');
    await pkg(join(nm, 'opt'), 'opt');
    await pkg(join(nm, 'devonly'), 'devonly');
    await pkg(join(nm, 'huge'), 'huge');
    await pkg(join(nm, 'bundled'), 'bundled', { onlybundled: '1' });
    await pkg(join(nm, 'onlybundled'), 'onlybundled');
    await pkg(join(nm, '@types/node'), '@types/node');
    await mkdir(join(nm, '@x'), { recursive: true });
    for (const w of ['app', 'lib', 'other']) await symlink(`../../${w}`, join(nm, '@x', w));
  });
  after(async () => {
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it("copies the workspace's closure only: nested versions where require() finds them, links as links, no dev, bundled or type packages", async () => {
    const out = join(root, 'out');
    const { stderr } = await run(process.execPath, [SCRIPT, 'app', out, '--without', 'bundled'], { cwd: root });
    expect(stderr).to.contain('app: 4 packages and 1 workspace links');
    const has = (p: string) => existsSync(join(out, 'node_modules', p, 'package.json'));
    for (const p of ['a', 'a/node_modules/b', 'c', 'opt']) expect(has(p), p).to.equal(true);
    for (const p of ['b', 'devonly', 'huge', 'bundled', 'onlybundled', '@types/node']) expect(has(p), p).to.equal(false);
    expect(readlinkSync(join(out, 'node_modules/@x/lib'))).to.equal('../../lib');
    expect(existsSync(join(out, 'node_modules/@x/other'))).to.equal(false);
  });

  it('fails, naming the package, when a dependency is not installed', async () => {
    await pkg(join(root, 'broken'), '@x/broken', { missing: '1' });
    const err = await run(process.execPath, [SCRIPT, 'broken', join(root, 'out2')], { cwd: root }).then(() => null, (e: Error) => e);
    expect(String(err)).to.contain('broken: dependency missing is not installed');
  });
});
