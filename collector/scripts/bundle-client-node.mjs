// Replaces the compiled dist/kube/client-node.js (a re-export of @kubernetes/client-node) with a bundle of
// only the exports src/kube/client-node.ts names, tree-shaken: the package's own entry evaluates the clients
// of every API group. Run after `tsc -b`; the collector also works without it, with more memory.
//   node collector/scripts/bundle-client-node.mjs [OUTFILE]   (default: collector/dist/kube/client-node.js)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ?? join(root, 'dist', 'kube', 'client-node.js');

await build({
  entryPoints: [join(root, 'src', 'kube', 'client-node.ts')],
  outfile,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Some of the package's dependencies are CommonJS and require Node.js built-ins.
  banner: { js: "import { createRequire as bundleRequire } from 'node:module';\nconst require = bundleRequire(import.meta.url);" },
  legalComments: 'eof',
  // whatwg-url (under node-fetch 2) requires "punycode", which Node.js resolves to its deprecated
  // built-in (a DEP0040 warning on stderr at start); the trailing slash names the npm package instead.
  alias: { punycode: 'punycode/' },
});
console.log(`[build] ${outfile}: @kubernetes/client-node bundled to what the collector uses`);
