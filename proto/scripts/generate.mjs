// Generates the TypeScript types of the lastgasp.v1 API into the folder given as the only argument
// (src/generated for the committed copy). The options must match LOADER_OPTIONS in src/index.ts:
// the generated types describe exactly what that loader produces at run time.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const protoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2];
if (!outDir) {
  process.stderr.write('usage: generate.mjs <out-dir>\n');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const generator = join(dirname(require.resolve('@grpc/proto-loader/package.json')), 'build/bin/proto-loader-gen-types.js');
const target = resolve(outDir);
rmSync(target, { recursive: true, force: true });
const result = spawnSync(
  process.execPath,
  [
    generator,
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.js',
    `--outDir=${target}`,
    'lastgasp/v1/collector.proto',
  ],
  { cwd: protoRoot, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
