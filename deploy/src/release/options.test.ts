// The release's arguments: what it publishes where, and every refusal before anything is built.
import { expect } from 'chai';
import { digestOf, helmPushDigest, imageRepository, normalizeRepository, parseReleaseArgs, repositoryOf, tagOf, UsageError } from './options.js';

const defaults = { nodeMajor: 24, installed: ['podman', 'buildah'] as const };
const parse = (argv: string[]) => parseReleaseArgs(argv, { ...defaults, installed: [...defaults.installed] });
const D = `sha256:${'a'.repeat(64)}`;

describe('release options', () => {
  it('defaults: the first installed builder, the bookworm-slim base of the pinned major, release.json', () => {
    expect(parse(['--registry', 'ghcr.io/lastgasp/'])).to.deep.equal({
      registry: 'ghcr.io/lastgasp',
      plainHttp: false,
      builder: 'podman',
      buildFlags: [],
      base: 'node:24-bookworm-slim',
      platforms: [],
      helm: 'helm',
      output: 'release.json',
    });
  });

  it('takes a local registry over plain HTTP, repeated build flags, a base and multi-arch with docker', () => {
    const o = parse(['--registry', '127.0.0.1:5000/lastgasp', '--plain-http', '--build-flag=--runtime=runc', '--build-flag=--layers=false', '--builder', 'docker', '--platform', 'linux/amd64, linux/arm64', '--base', `node:24-bookworm-slim@${D}`]);
    expect(o).to.include({ registry: '127.0.0.1:5000/lastgasp', plainHttp: true, builder: 'docker', base: `node:24-bookworm-slim@${D}` });
    expect(o.buildFlags).to.deep.equal(['--runtime=runc', '--layers=false']);
    expect(o.platforms).to.deep.equal(['linux/amd64', 'linux/arm64']);
  });

  for (const [argv, message] of [
    [[], /--registry is required/],
    [['--registry', 'Ghcr.io/X'], /--registry Ghcr\.io\/X/],
    [['--registry', 'r.io', '--builder', 'kaniko'], /--builder kaniko/],
    [['--registry', 'r.io', '--platform', 'linux/amd64'], /--platform: multi-arch builds need --builder docker/],
    [['--registry', 'r.io', '--builder', 'docker', '--platform', 'amd64'], /--platform amd64/],
    [['--registry', 'r.io', '--frobnicate'], /frobnicate/],
  ] as const) {
    it(`refuses ${argv.join(' ') || 'no arguments'}, naming the option`, () => {
      expect(() => parse([...argv])).to.throw(UsageError, message);
    });
  }

  it('refuses to guess a builder when none is installed', () => {
    expect(() => parseReleaseArgs(['--registry', 'r.io'], { nodeMajor: 24, installed: [] })).to.throw(UsageError, /none of docker, podman, buildah/);
  });
});

describe('image references', () => {
  it('splits repository, tag and digest, also with a registry port', () => {
    expect(repositoryOf('127.0.0.1:5000/library/node:24-bookworm-slim')).to.equal('127.0.0.1:5000/library/node');
    expect(repositoryOf(`127.0.0.1:5000/library/node@${D}`)).to.equal('127.0.0.1:5000/library/node');
    expect(repositoryOf('127.0.0.1:5000/node')).to.equal('127.0.0.1:5000/node');
    expect(tagOf('127.0.0.1:5000/node:24-slim')).to.equal('24-slim');
    expect(tagOf('127.0.0.1:5000/node')).to.equal('latest');
    expect(digestOf(`node@${D}`)).to.equal(D);
    expect(digestOf('node:24')).to.equal(null);
  });

  it('names repositories as registries record them', () => {
    expect(normalizeRepository('node')).to.equal('docker.io/library/node');
    expect(normalizeRepository('bitnami/node')).to.equal('docker.io/bitnami/node');
    expect(normalizeRepository('ghcr.io/x/node')).to.equal('ghcr.io/x/node');
    expect(normalizeRepository('localhost/node')).to.equal('localhost/node');
    expect(imageRepository('ghcr.io/lastgasp', 'agent')).to.equal('ghcr.io/lastgasp/lastgasp-agent');
  });

  it("reads the chart's digest from helm push", () => {
    expect(helmPushDigest(`Pushed: r.io/lastgasp:0.1.0\nDigest: ${D}\n`)).to.equal(D);
    expect(helmPushDigest('Pushed: r.io/lastgasp:0.1.0\n')).to.equal(null);
  });
});
