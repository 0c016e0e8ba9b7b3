// Carries out a plan on configfs. Per target: disable, write, read back and verify, and only then
// enable — a target is never enabled half-configured. Removals run last and are skipped when the
// target that was to replace them failed (make-before-break).
import { join } from 'node:path';
import { desiredAttributes, desiredSysdata, sameAttribute, type Plan, type TargetAction } from '../plan-targets.js';
import { endpointKey, SYSDATA_SWITCHES, type SysdataSwitch, type TargetSpec } from '../types.js';
import { errorCode, type ConfigfsFs } from './configfs-fs.js';

export type TargetStep = 'mkdir' | 'disable' | 'write' | 'verify' | 'enable' | 'remove';

/** A failed step on one target; `code` is the errno code when the kernel refused (EINVAL, ENODEV...). */
export class TargetError extends Error {
  readonly code = 'ERR_LASTGASP_TARGET';
  constructor(
    readonly target: string,
    readonly step: TargetStep,
    detail: string,
    readonly errno: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`target ${target}: ${step}: ${detail}`, options);
    this.name = 'TargetError';
  }
}

export interface ActionOutcome {
  action: TargetAction;
  /** `skipped`: a removal held back because its replacement failed. */
  result: 'ok' | 'failed' | 'skipped';
  error?: TargetError;
}

async function step<T>(target: string, name: TargetStep, detail: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new TargetError(target, name, `${detail}: ${message}`, errorCode(err), { cause: err });
  }
}

/** Writes `enabled=0` unless it already reads 0 (writing the current value can fail on some kernels). */
async function disable(fs: ConfigfsFs, targetDir: string, name: string): Promise<void> {
  const enabled = await step(name, 'disable', 'read enabled', () => fs.read(join(targetDir, 'enabled')).catch(() => '0'));
  if (enabled.trim() !== '0') await step(name, 'disable', 'write enabled=0', () => fs.write(join(targetDir, 'enabled'), '0'));
}

async function writeUserdata(fs: ConfigfsFs, targetDir: string, name: string, node: string): Promise<void> {
  const item = join(targetDir, 'userdata', 'node');
  if (!(await fs.isDirectory(item))) await step(name, 'write', 'mkdir userdata/node', () => fs.mkdir(item));
  await step(name, 'write', 'userdata node', () => fs.write(join(item, 'value'), node));
}

/** Writes every sysdata switch the kernel has (in userdata/), on or off as the spec wants. */
async function writeSysdata(fs: ConfigfsFs, targetDir: string, name: string, spec: TargetSpec): Promise<void> {
  for (const [sw, value] of desiredSysdata(spec, await availableSysdata(fs, targetDir))) {
    const path = join(targetDir, 'userdata', `${sw}_enabled`);
    // Writing the value a switch already has is harmless, but skip it like `enabled`.
    if ((await fs.read(path).catch(() => '')).trim() === value) continue;
    await step(name, 'write', `userdata/${sw}_enabled=${value}`, () => fs.write(path, value));
  }
}

async function availableSysdata(fs: ConfigfsFs, targetDir: string): Promise<SysdataSwitch[]> {
  if (!(await fs.isDirectory(join(targetDir, 'userdata')))) return [];
  const names = await fs.list(join(targetDir, 'userdata'));
  return SYSDATA_SWITCHES.filter((s) => names.includes(`${s}_enabled`));
}

async function verify(fs: ConfigfsFs, targetDir: string, name: string, spec: TargetSpec): Promise<void> {
  for (const [attribute, expected] of desiredAttributes(spec)) {
    const actual = (await step(name, 'verify', `read ${attribute}`, () => fs.read(join(targetDir, attribute)))).trim();
    if (!sameAttribute(attribute, actual, expected)) {
      throw new TargetError(name, 'verify', `${attribute} reads "${actual}", wrote "${expected}"`, undefined);
    }
  }
  for (const sw of spec.sysdata) {
    const actual = (await step(name, 'verify', `read userdata/${sw}_enabled`, () => fs.read(join(targetDir, 'userdata', `${sw}_enabled`)))).trim();
    if (actual !== '1') throw new TargetError(name, 'verify', `userdata/${sw}_enabled reads "${actual}", wrote "1"`, undefined);
  }
  if (spec.userdataNode !== null) {
    const actual = (await step(name, 'verify', 'read userdata node', () => fs.read(join(targetDir, 'userdata', 'node', 'value')))).trim();
    if (actual !== spec.userdataNode) throw new TargetError(name, 'verify', `userdata node reads "${actual}"`, undefined);
  }
}

/** Disable → write every attribute → read back and compare → enable → read back enabled. */
export async function configureTarget(fs: ConfigfsFs, targetDir: string, name: string, spec: TargetSpec): Promise<void> {
  await disable(fs, targetDir, name);
  for (const [attribute, value] of desiredAttributes(spec)) {
    await step(name, 'write', `${attribute}=${value}`, () => fs.write(join(targetDir, attribute), value));
  }
  if (spec.userdataNode !== null) await writeUserdata(fs, targetDir, name, spec.userdataNode);
  await writeSysdata(fs, targetDir, name, spec);
  await verify(fs, targetDir, name, spec);
  await step(name, 'enable', 'write enabled=1', () => fs.write(join(targetDir, 'enabled'), '1'));
  const enabled = (await step(name, 'enable', 'read enabled', () => fs.read(join(targetDir, 'enabled')))).trim();
  if (enabled !== '1') throw new TargetError(name, 'enable', `enabled reads "${enabled}" after writing 1`, undefined);
}

/** Disable, remove userdata items (configfs refuses to remove a group that still has children), rmdir. */
export async function removeTarget(fs: ConfigfsFs, targetDir: string, name: string): Promise<void> {
  if (!(await fs.isDirectory(targetDir))) return;
  await disable(fs, targetDir, name);
  const userdataDir = join(targetDir, 'userdata');
  if (await fs.isDirectory(userdataDir)) {
    for (const key of await fs.list(userdataDir)) {
      if (await fs.isDirectory(join(userdataDir, key))) {
        await step(name, 'remove', `rmdir userdata/${key}`, () => fs.rmdir(join(userdataDir, key)));
      }
    }
  }
  await step(name, 'remove', 'rmdir', () => fs.rmdir(targetDir));
}

async function createTarget(fs: ConfigfsFs, dir: string, name: string, spec: TargetSpec): Promise<void> {
  const targetDir = join(dir, name);
  await step(name, 'mkdir', 'mkdir', () => fs.mkdir(targetDir));
  try {
    await configureTarget(fs, targetDir, name, spec);
  } catch (err) {
    // A target that could not be fully configured is removed again rather than left behind disabled.
    await removeTarget(fs, targetDir, name).catch(() => undefined);
    throw err;
  }
}

function asTargetError(name: string, err: unknown): TargetError {
  return err instanceof TargetError ? err : new TargetError(name, 'write', String(err), errorCode(err), { cause: err });
}

export async function applyPlan(fs: ConfigfsFs, dir: string, plan: Plan): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  const failedEndpoints = new Set<string>();
  for (const action of plan.actions) {
    if (action.kind === 'remove' && action.replacedBy !== null && failedEndpoints.has(action.replacedBy)) {
      outcomes.push({ action, result: 'skipped' });
      continue;
    }
    try {
      if (action.kind === 'create') await createTarget(fs, dir, action.name, action.spec);
      else if (action.kind === 'repair') await configureTarget(fs, join(dir, action.name), action.name, action.spec);
      else await removeTarget(fs, join(dir, action.name), action.name);
      outcomes.push({ action, result: 'ok' });
    } catch (err) {
      if (action.kind !== 'remove') failedEndpoints.add(endpointKey(action.spec.endpoint));
      outcomes.push({ action, result: 'failed', error: asTargetError(action.name, err) });
    }
  }
  return outcomes;
}
