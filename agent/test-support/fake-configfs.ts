// Test stand-in for the kernel's netconsole configfs, over an ordinary temporary directory. It enforces
// the rules the real code must respect and a temp dir cannot: a new target directory is populated with
// its attribute files, attributes other than `enabled` refuse writes while enabled (EINVAL), `local_mac`
// is read-only, writing the value `enabled` already has fails, `release` needs `extended`, enabling
// needs a known device, and a target with userdata items cannot be removed. It logs every operation.
import { mkdir, readFile, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { ConfigfsFs } from '../src/configfs/configfs-fs.js';

export interface FakeConfigfsOptions {
  /** The `<root>/netconsole` directory (created if missing). */
  dir: string;
  release?: boolean;
  userdata?: boolean;
  /** 7.x: the sysdata switches `userdata/{cpu_nr,taskname,release,msgid}_enabled` (implies userdata). */
  sysdata?: boolean;
  /** Newest kernels: `ratelimit_interval_ms` and `ratelimit_burst`. */
  ratelimit?: boolean;
  /** Devices that accept netpoll; enabling a target on another device fails with ENODEV. */
  devices?: readonly string[];
}

export interface FakeOp {
  op: 'mkdir' | 'rmdir' | 'write';
  /** Path relative to the netconsole directory. */
  path: string;
  value?: string;
}

function errno(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

const DEFAULTS: Record<string, string> = {
  enabled: '0',
  extended: '0',
  dev_name: 'eth0',
  local_port: '6665',
  remote_port: '6666',
  local_ip: '0.0.0.0',
  remote_ip: '0.0.0.0',
  local_mac: '00:00:00:00:00:00',
  remote_mac: 'ff:ff:ff:ff:ff:ff',
};

/** A sysdata switch takes 0 or 1; userdata item values anything. */
function checkUserdata(name: string, value: string): void {
  if (name.endsWith('_enabled') && value !== '0' && value !== '1') throw errno('EINVAL', `${name} takes 0 or 1`);
}

const RATELIMIT_DEFAULTS: Record<string, string> = { ratelimit_interval_ms: '5000', ratelimit_burst: '10' };

export class FakeConfigfs implements ConfigfsFs {
  readonly ops: FakeOp[] = [];
  /** Attribute names (`<target>/<attr>`) whose next write fails with the given errno code. */
  readonly failNextWrite = new Map<string, string>();

  constructor(private readonly options: FakeConfigfsOptions) {}

  async init(): Promise<this> {
    await mkdir(this.options.dir, { recursive: true });
    return this;
  }

  private parts(path: string): string[] {
    const rel = relative(this.options.dir, path);
    return rel === '' ? [] : rel.split(sep);
  }

  async list(path: string): Promise<string[]> {
    return readdir(path);
  }

  async isDirectory(path: string): Promise<boolean> {
    return stat(path).then((s) => s.isDirectory(), () => false);
  }

  async mkdir(path: string): Promise<void> {
    const parts = this.parts(path);
    await mkdir(path);
    this.ops.push({ op: 'mkdir', path: parts.join('/') });
    if (parts.length === 1) {
      const attributes = {
        ...DEFAULTS,
        ...(this.options.release === true ? { release: '0' } : {}),
        ...(this.options.ratelimit === true ? RATELIMIT_DEFAULTS : {}),
      };
      for (const [name, value] of Object.entries(attributes)) await writeFile(join(path, name), `${value}\n`);
      if (this.options.userdata === true || this.options.sysdata === true) await mkdir(join(path, 'userdata'));
      if (this.options.sysdata === true) {
        for (const s of ['cpu_nr', 'taskname', 'release', 'msgid']) await writeFile(join(path, 'userdata', `${s}_enabled`), '0\n');
      }
    } else if (parts.length === 3 && parts[1] === 'userdata') {
      await writeFile(join(path, 'value'), '\n');
    }
  }

  async rmdir(path: string): Promise<void> {
    const parts = this.parts(path);
    if (parts.length === 1 && (await this.isDirectory(join(path, 'userdata'))) && (await this.userdataItems(join(path, 'userdata'))) > 0) {
      throw errno('ENOTEMPTY', `${parts.join('/')} still has userdata items`);
    }
    if (parts.length === 1 || (parts.length === 3 && parts[1] === 'userdata')) await rm(path, { recursive: true });
    else await rmdir(path);
    this.ops.push({ op: 'rmdir', path: parts.join('/') });
  }

  /** userdata items are directories; the sysdata switches beside them are attributes of the group. */
  private async userdataItems(dir: string): Promise<number> {
    let items = 0;
    for (const name of await readdir(dir)) if (await this.isDirectory(join(dir, name))) items += 1;
    return items;
  }

  async read(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  private async attr(target: string, name: string): Promise<string> {
    return (await readFile(join(this.options.dir, target, name), 'utf8').catch(() => '')).trim();
  }

  async write(path: string, value: string): Promise<void> {
    const parts = this.parts(path);
    const target = parts[0] ?? '';
    const name = parts.length === 2 ? basename(path) : parts.slice(1).join('/');
    const injected = this.failNextWrite.get(`${target}/${name}`);
    if (injected !== undefined) {
      this.failNextWrite.delete(`${target}/${name}`);
      throw errno(injected, `injected failure writing ${target}/${name}`);
    }
    await this.check(target, name, value.trim(), path);
    await writeFile(path, `${value.trim()}\n`);
    this.ops.push({ op: 'write', path: parts.join('/'), value: value.trim() });
  }

  private async check(target: string, name: string, value: string, path: string): Promise<void> {
    if (!(await this.isDirectory(dirname(path)))) throw errno('ENOENT', `${dirname(path)} does not exist`);
    const enabled = (await this.attr(target, 'enabled')) === '1';
    if (name === 'local_mac') throw errno('EACCES', 'local_mac is read-only');
    if (name === 'enabled') {
      if ((value === '1') === enabled) throw errno('EINVAL', `${target} is already ${enabled ? 'enabled' : 'disabled'}`);
      const devices = this.options.devices;
      const device = await this.attr(target, 'dev_name');
      if (value === '1' && devices !== undefined && !devices.includes(device)) throw errno('ENODEV', `no netpoll device ${device}`);
      return;
    }
    if (name.startsWith('userdata/')) {
      checkUserdata(name, value);
      return;
    }
    if (enabled) throw errno('EINVAL', `${target}/${name} cannot change while enabled`);
    if (name === 'release' && value === '1' && (await this.attr(target, 'extended')) !== '1') {
      throw errno('EINVAL', 'release needs extended');
    }
    if (!(name in DEFAULTS) && name !== 'release' && !(this.options.ratelimit === true && name in RATELIMIT_DEFAULTS)) {
      throw errno('ENOENT', `no attribute ${name}`);
    }
  }

  /** Current enabled targets' names. */
  async enabledTargets(): Promise<string[]> {
    const names = await readdir(this.options.dir);
    const enabled: string[] = [];
    for (const name of names) if ((await this.attr(name, 'enabled')) === '1') enabled.push(name);
    return enabled.sort();
  }
}
