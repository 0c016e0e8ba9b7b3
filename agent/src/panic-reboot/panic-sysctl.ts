// The I/O edge of the panic-reboot check: reads /proc/consoles and kernel.panic, reads the kubelet's
// configuration for protectKernelDefaults, and writes kernel.panic=0 when the decision says so.
import { readFile, writeFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { PanicRebootCheck } from '../types.js';
import { decidePanicReboot, netconsoleIsNbcon, parsePanicSeconds, type PanicRebootRemedy } from './assess-panic-reboot.js';

export interface PanicRebootPaths {
  consolesPath: string;
  panicPath: string;
  /** The kubelet's configuration file (protectKernelDefaults); may be absent. */
  kubeletConfigPath: string;
}

/** The file operations used; tests put stand-ins here (a read-only /proc/sys cannot be made without mounts). */
export interface SysctlIo {
  read(path: string): Promise<string>;
  write(path: string, value: string): Promise<void>;
}

const nodeIo: SysctlIo = { read: (path) => readFile(path, 'utf8'), write: (path, value) => writeFile(path, value) };

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'unknown';
}

/** protectKernelDefaults from a KubeletConfiguration file; null when the file is absent or unreadable. */
export function protectKernelDefaultsOf(text: string | null): boolean | null {
  if (text === null) return null;
  try {
    const value: unknown = parseYaml(text);
    if (typeof value !== 'object' || value === null) return null;
    return (value as Record<string, unknown>).protectKernelDefaults === true;
  } catch {
    return null;
  }
}

export async function checkPanicReboot(paths: PanicRebootPaths, remedy: PanicRebootRemedy, io: SysctlIo = nodeIo): Promise<PanicRebootCheck> {
  const readOrNull = (path: string): Promise<string | null> => io.read(path).catch(() => null);
  const nbcon = netconsoleIsNbcon(await readOrNull(paths.consolesPath));
  const panicSeconds = parsePanicSeconds(await readOrNull(paths.panicPath));
  const kubeletText = remedy === 'set-panic-zero' ? await readOrNull(paths.kubeletConfigPath) : null;
  const protectKernelDefaults = protectKernelDefaultsOf(kubeletText);
  const decision = decidePanicReboot({ nbcon, panicSeconds, remedy, protectKernelDefaults });
  switch (decision.kind) {
    case 'sends':
      return { nbcon, panicSeconds, sendsPanic: true, remedy: 'not-needed', detail: decision.why };
    case 'suppressed':
      return { nbcon, panicSeconds, sendsPanic: false, remedy: 'off', detail: 'remedy off (agent.panicReboot: report)' };
    case 'refuse':
      return { nbcon, panicSeconds, sendsPanic: false, remedy: 'refused', detail: decision.why };
    case 'set-zero':
      break;
  }
  try {
    await io.write(paths.panicPath, '0');
  } catch (err) {
    const code = errorCode(err);
    const why =
      code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
        ? `${paths.panicPath} is read-only here (${code}: the agent runs in capabilities mode; privileged mode can write it)`
        : `writing ${paths.panicPath} failed (${code})`;
    return { nbcon, panicSeconds, sendsPanic: false, remedy: 'refused', detail: why };
  }
  const after = parsePanicSeconds(await readOrNull(paths.panicPath));
  if (after !== 0) {
    return { nbcon, panicSeconds: after, sendsPanic: false, remedy: 'refused', detail: `kernel.panic reads ${String(after)} after writing 0` };
  }
  const unchecked = kubeletText === null ? `; kubelet config not found at ${paths.kubeletConfigPath}, protectKernelDefaults unchecked` : '';
  return {
    nbcon,
    panicSeconds: 0,
    sendsPanic: true,
    remedy: 'applied',
    detail: `kernel.panic set ${String(panicSeconds)} → 0 by the agent (nbcon netconsole sends the panic only when the kernel hangs)${unchecked}`,
  };
}
