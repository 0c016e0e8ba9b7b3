// What can be checked about the images without a Docker engine: every COPY source is in the build
// context (present after `npm run build` and not dropped by .dockerignore), every ENTRYPOINT/CMD file
// exists in the build output and is copied into the final stage, and the Node.js major matches the
// engines field and the Node.js running the tests.
import { COLLECTOR_NODE_OPTIONS } from '@lastgasp/collector';
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyDestination, nodeMajorOf, parseDockerfile } from './dockerfile.js';
import type { Copy, Stage } from './dockerfile.js';
import { isIgnored, parseDockerignore } from './dockerignore.js';
import { satisfies } from './semver-range.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const rules = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

interface ImageCase {
  file: string;
  entrypoint: string;
  /** null: runs as root. */
  user: string | null;
  packages: string[];
}

const IMAGES: ImageCase[] = [
  { file: 'deploy/images/agent.Dockerfile', entrypoint: 'agent/bin/lastgasp-agent.js', user: null, packages: ['iproute2', 'kmod'] },
  { file: 'deploy/images/collector.Dockerfile', entrypoint: 'collector/bin/lastgasp-collector.js', user: '65532:65532', packages: [] },
];

function stageByName(stages: Stage[], name: string): Stage {
  const stage = stages.find((s, i) => s.name === name || String(i) === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
}

function under(dir: string, path: string): string | null {
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  if (path === dir || path === base.slice(0, -1)) return '';
  return path.startsWith(base) ? path.slice(base.length) : null;
}

/** The Dockerfiles here mark directory sources with a trailing slash. */
function isDirectory(source: string): boolean {
  return source.endsWith('/');
}

/** Where one COPY source lands: a file copied into a directory destination keeps its name. */
function copiedTo(copy: Copy, source: string): string {
  const dest = copyDestination(copy);
  return !isDirectory(source) && dest.endsWith('/') ? posix.join(dest, posix.basename(source)) : dest;
}

/** Repository path of a file in the final image, following the COPY --from that put it there. */
function repoPathOf(stages: Stage[], imagePath: string): string | null {
  const final = stages.at(-1);
  if (!final) return null;
  for (const copy of final.copies) {
    const source = copy.sources[0];
    if (copy.from === null || source === undefined) continue;
    const build = stageByName(stages, copy.from);
    const target = copiedTo(copy, source);
    const rest = isDirectory(source) ? under(target, imagePath) : target === imagePath ? '' : null;
    if (rest === null) continue;
    const rel = under(build.workdir, posix.join(source, rest));
    if (rel !== null) return rel;
  }
  return null;
}

/** Final-image path of a repository file, or null when no COPY in the final stage carries it. */
function imagePathOf(stages: Stage[], repoPath: string): string | null {
  const final = stages.at(-1);
  if (!final) return null;
  for (const copy of final.copies) {
    const source = copy.sources[0];
    if (copy.from === null || source === undefined) continue;
    const build = stageByName(stages, copy.from);
    const inBuild = posix.join(build.workdir, repoPath);
    const rest = isDirectory(source) ? under(source, inBuild) : source === inBuild ? '' : null;
    if (rest !== null) return posix.join(copiedTo(copy, source), rest);
  }
  return null;
}

for (const image of IMAGES) {
  describe(image.file, () => {
    const text = readFileSync(join(ROOT, image.file), 'utf8');
    const stages = parseDockerfile(text);
    const final = stages.at(-1);

    it('is multi-stage, every stage on node:<major>-bookworm-slim (NODE_IMAGE by default) of the Node.js that runs these tests', () => {
      expect(stages.length).to.be.greaterThanOrEqual(2);
      const running = Number(process.versions.node.split('.')[0]);
      for (const stage of stages) {
        expect(stage.image, stage.image).to.match(/^node:\d+(\.\d+)*-bookworm-slim$/);
        expect(nodeMajorOf(stage.image), stage.image).to.equal(running);
      }
    });

    it(`uses a Node.js the root engines field (${engines}) accepts`, () => {
      expect(satisfies(process.versions.node, engines), `node ${process.versions.node} vs ${engines}`).to.equal(true);
    });

    it('copies from the build context only paths that exist and are not in .dockerignore', () => {
      const contextCopies = stages.flatMap((s) => s.copies.filter((c) => c.from === null));
      expect(contextCopies).to.not.be.empty;
      for (const copy of contextCopies) {
        for (const source of copy.sources) {
          expect(existsSync(join(ROOT, source)), `line ${copy.line}: ${source} exists`).to.equal(true);
          expect(isIgnored(rules, source), `line ${copy.line}: ${source} is in .dockerignore`).to.equal(false);
        }
      }
    });

    it('copies from the build stage only paths that `npm run build` produces here', () => {
      for (const copy of final?.copies ?? []) {
        expect(copy.from, `line ${copy.line}: final stage copies only from the build stage`).to.be.a('string');
        const build = stageByName(stages, copy.from ?? '');
        for (const source of copy.sources) {
          // The production dependency closure is made in the build by scripts/runtime-deps.mjs.
          if (source.startsWith('/runtime/')) {
            expect(text, `line ${copy.line}: ${source} is made by runtime-deps.mjs`).to.match(/node scripts\/runtime-deps\.mjs \w+ \/runtime\b/);
            continue;
          }
          const rel = under(build.workdir, source);
          expect(rel, `line ${copy.line}: ${source} is under the build stage's WORKDIR ${build.workdir}`).to.be.a('string');
          expect(existsSync(join(ROOT, rel ?? '')), `line ${copy.line}: ${rel ?? ''} exists (run npm run build first)`).to.equal(true);
        }
      }
    });

    it(`starts ${image.entrypoint}, which exists and imports only built files that the image carries`, () => {
      const command = [...(final?.entrypoint ?? []), ...(final?.cmd ?? [])];
      expect(command[0]).to.equal('node');
      const script = command[1] ?? '';
      const rel = repoPathOf(stages, script);
      expect(rel, `${script} is copied into the final stage`).to.equal(image.entrypoint);
      expect(existsSync(join(ROOT, image.entrypoint))).to.equal(true);
      const shim = readFileSync(join(ROOT, image.entrypoint), 'utf8');
      const imports = [...shim.matchAll(/import\s*(?:[^'"]*from\s*)?['"](\.[^'"]+)['"]/g)].map((m) => m[1] ?? '');
      expect(imports, 'the bin shim imports the build output').to.not.be.empty;
      for (const target of imports) {
        const targetRel = posix.join(dirname(image.entrypoint), target);
        expect(existsSync(join(ROOT, targetRel)), `${targetRel} exists (run npm run build first)`).to.equal(true);
        expect(imagePathOf(stages, targetRel), `${targetRel} is copied into the image`).to.be.a('string');
      }
    });

    it('carries the wire contract (@lastgasp/proto/contract) and the package.json that exports it', () => {
      for (const file of ['proto/dist/contract.js', 'proto/package.json']) {
        expect(imagePathOf(stages, file), `${file} is copied into the image`).to.equal(`/app/${file}`);
      }
    });

    it(image.user === null ? 'runs as root' : `runs as non-root user ${image.user}`, () => {
      expect(final?.user ?? null).to.equal(image.user);
    });

    for (const pkg of image.packages) {
      it(`installs ${pkg} in the final stage`, () => {
        const finalText = text.slice(text.lastIndexOf('\nFROM '));
        expect(finalText).to.match(new RegExp(`apt-get install[^\\n]*\\b${pkg}\\b`));
      });
    }
  });
}

describe('deploy/images/collector.Dockerfile: the batch UDP receiver and Node.js options', () => {
  const text = readFileSync(join(ROOT, 'deploy/images/collector.Dockerfile'), 'utf8');
  const stages = parseDockerfile(text);

  it(`runs Node.js with NODE_OPTIONS=${COLLECTOR_NODE_OPTIONS}, as the benchmarks measure it`, () => {
    const finalText = text.slice(text.lastIndexOf('\nFROM '));
    const set = [...finalText.matchAll(/^ENV NODE_OPTIONS=(.*)$/gm)].map((m) => m[1]?.replace(/^"(.*)"$/, "$1"));
    expect(set).to.deep.equal([COLLECTOR_NODE_OPTIONS]);
  });

  it('builds the recvmmsg addon in the build stage, with the compiler installed there only', () => {
    const buildText = text.slice(0, text.lastIndexOf('\nFROM '));
    const finalText = text.slice(text.lastIndexOf('\nFROM '));
    expect(buildText).to.match(/apt-get install[^\n]*\bgcc\b/);
    expect(buildText).to.match(/bash collector\/native\/build\.sh --strict/);
    expect(finalText).to.not.match(/apt-get install/);
  });

  it('bundles @kubernetes/client-node after compiling, then takes the runtime dependencies without it', () => {
    const buildText = text.slice(0, text.lastIndexOf('\nFROM '));
    const compile = buildText.indexOf('npx tsc -b collector');
    const bundle = buildText.indexOf('node collector/scripts/bundle-client-node.mjs');
    const runtime = buildText.indexOf('node scripts/runtime-deps.mjs collector /runtime --without @kubernetes/client-node');
    expect(compile, 'compiles the collector').to.be.greaterThan(-1);
    expect(bundle, 'bundles client-node after compiling').to.be.greaterThan(compile);
    expect(runtime, 'the runtime closure leaves the bundled package out, after bundling').to.be.greaterThan(bundle);
  });

  it('carries the addon and its loader where the collector looks for them', () => {
    for (const file of ['collector/native/recvmmsg.js', 'collector/native/build/recvmmsg.node']) {
      expect(imagePathOf(stages, file), `${file} is copied into the image`).to.equal(`/app/${file}`);
    }
  });
});

describe('.dockerignore', () => {
  const table: Array<[string, boolean]> = [
    ['node_modules', true],
    ['collector/node_modules/x', true],
    ['collector/dist/main.js', true],
    ['test/tsconfig.tsbuildinfo', true],
    ['.git/HEAD', true],
    ['collector/fixtures/real-kernel/sysrq-panic-extended.pcap', true],
    ['collector/src/main.ts', false],
    ['collector/rules/kernel-rules.json', false],
    ['package-lock.json', false],
    ['collector/native/build/recvmmsg.node', true],
    ['collector/native/recvmmsg.c', false],
    ['collector/test-support/api-fixtures.ts', true],
    ['agent/test-support/fake-configfs.ts', true],
  ];
  for (const [path, ignored] of table) {
    it(`${ignored ? 'leaves out' : 'keeps'} ${path}`, () => {
      expect(isIgnored(rules, path)).to.equal(ignored);
    });
  }
});

describe('parseDockerfile: global ARGs in FROM', () => {
  it('expands ${NAME} and $NAME with the default of an ARG before the first FROM', () => {
    const stages = parseDockerfile('ARG BASE=node:24-bookworm-slim\nARG TAG=1\nFROM ${BASE} AS build\nFROM alpine:$TAG\n');
    expect(stages.map((s) => s.image)).to.deep.equal(['node:24-bookworm-slim', 'alpine:1']);
  });
  it('refuses a FROM whose ARG has no default (a plain build could not resolve it)', () => {
    expect(() => parseDockerfile('ARG BASE\nFROM ${BASE}\n')).to.throw(/line 2: FROM uses BASE/);
  });
});
