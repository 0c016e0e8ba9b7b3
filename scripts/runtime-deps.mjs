#!/usr/bin/env node
// Copies the production dependency closure of one workspace into a directory of its own, for an image
// that carries only what that workspace loads: npm installs every workspace's packages even with
// `--workspace` (and `npm prune --omit=dev` keeps them all), so the closure is computed here by Node's
// own resolution over the installed tree: from the workspace's "dependencies", each package found the
// way require() finds it (its own node_modules, then each parent's), recursively through
// "dependencies", "optionalDependencies" and installed "peerDependencies". Workspace links
// (node_modules/@lastgasp/proto -> ../../proto) are copied as links. Type packages (@types/*, which
// some libraries list as dependencies) are left out: nothing loads them at run time.
//   node scripts/runtime-deps.mjs WORKSPACE OUTDIR [--without PACKAGE]...
// --without: a dependency the workspace's build has bundled into its own output (not copied, and
// neither is what only it needed).
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const [workspace, outdir, ...rest] = process.argv.slice(2);
if (!workspace || !outdir) {
  process.stderr.write('usage: node scripts/runtime-deps.mjs WORKSPACE OUTDIR [--without PACKAGE]...\n');
  process.exit(2);
}
const without = new Set();
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] !== '--without' || !rest[i + 1]) {
    process.stderr.write(`runtime-deps: unexpected argument ${rest[i]}\n`);
    process.exit(2);
  }
  without.add(rest[i + 1]);
}

const root = process.cwd();
const manifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

/** The directory require() would load `name` from, starting at package directory `from`. */
function resolvePackage(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

const found = new Set();
const queue = [[join(root, workspace), Object.keys(manifest(join(root, workspace)).dependencies ?? {}), true]];
while (queue.length > 0) {
  const [from, names, required] = queue.shift();
  for (const name of names) {
    if (without.has(name) || name.startsWith('@types/')) continue;
    const dir = resolvePackage(name, from);
    if (dir === null) {
      if (required) throw new Error(`${relative(root, from) || '.'}: dependency ${name} is not installed`);
      continue;
    }
    if (found.has(dir)) continue;
    found.add(dir);
    // A workspace link's own dependencies resolve from the workspace directory it points at.
    const real = lstatSync(dir).isSymbolicLink() ? join(dirname(dir), readlinkSync(dir)) : dir;
    const pkg = manifest(real);
    queue.push([real, Object.keys(pkg.dependencies ?? {}), true]);
    queue.push([real, Object.keys(pkg.optionalDependencies ?? {}), false]);
    queue.push([real, Object.keys(pkg.peerDependencies ?? {}), false]);
  }
}

let links = 0;
for (const dir of [...found].sort()) {
  const rel = relative(root, dir);
  if (!rel.split(sep).includes('node_modules') || rel.startsWith('..')) throw new Error(`${rel}: outside the installed tree`);
  const target = join(outdir, rel);
  mkdirSync(dirname(target), { recursive: true });
  if (lstatSync(dir).isSymbolicLink()) {
    symlinkSync(readlinkSync(dir), target);
    links++;
    continue;
  }
  // The package without its nested node_modules: nested packages in the closure are copied on their own.
  const nested = join(dir, 'node_modules');
  cpSync(dir, target, { recursive: true, verbatimSymlinks: true, filter: (src) => src !== nested });
}
process.stderr.write(`[runtime-deps] ${workspace}: ${found.size - links} packages and ${links} workspace links into ${outdir}\n`);
