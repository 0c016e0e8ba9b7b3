import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createNodeConfigfsFs } from './configfs-fs.js';
import { describeFeatures, detectFeatures, featuresFromListing } from './detect-attributes.js';
import { FakeConfigfs } from '../../test-support/fake-configfs.js';

describe('featuresFromListing', () => {
  const debian61 = ['dev_name', 'enabled', 'extended', 'local_ip', 'local_mac', 'local_port', 'remote_ip', 'remote_mac', 'remote_port'];
  const cases = [
    { name: 'a 6.1 kernel (no release, no userdata)', listing: debian61, want: 'extended' },
    { name: 'a 6.6 kernel (release)', listing: [...debian61, 'release'], want: 'extended, release' },
    { name: 'a 6.9+ kernel (release, userdata)', listing: [...debian61, 'release', 'userdata'], want: 'extended, release, userdata' },
    { name: 'release without extended', listing: ['enabled', 'dev_name', 'release'], want: 'legacy' },
    { name: 'an empty listing (plain directory)', listing: [], want: 'extended' },
    {
      name: 'Debian\'s 7.3.4 (transmit_errors, sysdata switches, no rate limit)',
      listing: [...debian61, 'release', 'transmit_errors', 'userdata'],
      userdata: ['cpu_nr_enabled', 'msgid_enabled', 'release_enabled', 'taskname_enabled'],
      want: 'extended, release, userdata, sysdata:cpu_nr, sysdata:taskname, sysdata:release, sysdata:msgid',
    },
    {
      name: 'a kernel with the per-target rate limit',
      listing: [...debian61, 'release', 'userdata', 'ratelimit_interval_ms', 'ratelimit_burst'],
      userdata: ['msgid_enabled'],
      want: 'extended, release, userdata, sysdata:msgid, ratelimit',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.want}`, () => expect(describeFeatures(featuresFromListing(c.listing, c.userdata))).to.equal(c.want));
  }
});

describe('detectFeatures', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lastgasp-agent-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('kernel-like configfs with release and userdata → both detected, probe removed', async () => {
    const dir = join(root, 'netconsole');
    const fs = await new FakeConfigfs({ dir, release: true, userdata: true }).init();
    const features = await detectFeatures(fs, dir, 'lastgasp-probe');
    expect(features).to.include({ extended: true, release: true, userdata: true, ratelimit: false });
    expect(features.sysdata).to.deep.equal([]);
    expect(await fs.list(dir)).to.deep.equal([]);
  });
  it('7.x-like configfs with sysdata switches → detected from the probe\'s userdata/', async () => {
    const dir = join(root, 'netconsole');
    const fs = await new FakeConfigfs({ dir, release: true, userdata: true, sysdata: true, ratelimit: true }).init();
    const features = await detectFeatures(fs, dir, 'lastgasp-probe');
    expect(features.sysdata).to.deep.equal(['cpu_nr', 'taskname', 'release', 'msgid']);
    expect(features.ratelimit).to.equal(true);
    expect(await fs.list(dir)).to.deep.equal([]);
  });
  it('plain directory via node:fs → base attributes, probe removed', async () => {
    const dir = join(root, 'netconsole');
    await mkdir(dir);
    const fs = createNodeConfigfsFs();
    const features = await detectFeatures(fs, dir, 'lastgasp-probe');
    expect(features).to.include({ extended: true, release: false, userdata: false });
    expect(await fs.list(dir)).to.deep.equal([]);
  });
});
