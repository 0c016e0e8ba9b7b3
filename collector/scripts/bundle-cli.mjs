#!/usr/bin/env node
// The `lastgasp` CLI as one file a user can run anywhere Node.js >= 24 is installed, with no checkout
// and no node_modules: esbuild bundles the CLI from its sources with every dependency, the project's
// version and the API's descriptor (protobufjs JSON made from proto/lastgasp/v1/collector.proto here)
// defined at bundle time, behind a shebang.
//   node collector/scripts/bundle-cli.mjs OUTFILE
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outfile = process.argv[2];
if (!outfile) {
  process.stderr.write('usage: node collector/scripts/bundle-cli.mjs OUTFILE\n');
  process.exit(2);
}
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const protoRoot = new protobuf.Root();
// Imports resolve from the proto folder; google/protobuf/* come from protobufjs's own copies.
protoRoot.resolvePath = (_origin, target) => join(root, 'proto', target);
protoRoot.loadSync('lastgasp/v1/collector.proto', { keepCase: false });
const descriptor = JSON.stringify(protoRoot.toJSON());

await build({
  entryPoints: [join(root, 'collector/src/cli/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  conditions: ['lastgasp-source'],
  define: { LASTGASP_BUNDLED_VERSION: JSON.stringify(version), LASTGASP_BUNDLED_PROTO: JSON.stringify(descriptor) },
  logLevel: 'warning',
  legalComments: 'eof',
  // CommonJS dependencies (grpc-js) call require() for Node's built-ins; an ES module has none of its own.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __lgCreateRequire } from 'node:module'; const require = __lgCreateRequire(import.meta.url);" },
});
chmodSync(outfile, 0o755);
process.stderr.write(`[bundle-cli] lastgasp ${version}: ${outfile}\n`);
