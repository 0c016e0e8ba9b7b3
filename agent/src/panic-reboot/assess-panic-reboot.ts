// Pure: will this node's kernel send its panic? On an nbcon netconsole (threaded/atomic console, 7.x)
// the panic is written only by the final atomic flush at the very end of panic() — after the branch
// that reboots when `kernel.panic` ≠ 0. So nbcon + kernel.panic ≠ 0 means no last gasp at all. The
// kubelet writes kernel.panic=10 at its start-up, so this is re-checked on every pass.
import type { PanicRebootCheck } from '../types.js';

/** `report`: say so only. `set-panic-zero`: also write kernel.panic=0 on such nodes (and only there). */
export type PanicRebootRemedy = 'report' | 'set-panic-zero';
export const PANIC_REBOOT_REMEDIES: readonly PanicRebootRemedy[] = ['report', 'set-panic-zero'];

export interface ConsoleEntry {
  name: string;
  flags: string;
}

/** /proc/consoles lines: `<name><index> <R|-><W|-><U|-> (<flags>) [major:minor]`; flag N = nbcon console. */
export function parseConsoles(text: string): ConsoleEntry[] {
  const entries: ConsoleEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\S+)\s+[-R][-W][-U]\s+\(([^)]*)\)/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) entries.push({ name: match[1], flags: match[2] });
  }
  return entries;
}

/**
 * Whether the registered netconsole consoles (`netcon<N>`, `netcon_ext<N>`) are nbcon consoles; null
 * when none is registered (no target enabled yet) or the file was unreadable.
 */
export function netconsoleIsNbcon(consoles: string | null): boolean | null {
  if (consoles === null) return null;
  const netcons = parseConsoles(consoles).filter((c) => /^netcon(_ext)?\d+$/.test(c.name));
  if (netcons.length === 0) return null;
  return netcons.some((c) => c.flags.includes('N'));
}

/** kernel.panic as an integer (seconds; 0 = hang, negative = reboot at once); null when unreadable. */
export function parsePanicSeconds(text: string | null): number | null {
  if (text === null) return null;
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(value) ? value : null;
}

export type PanicRebootDecision =
  | { kind: 'sends'; why: string }
  | { kind: 'suppressed'; remedy: 'off' }
  | { kind: 'set-zero' }
  | { kind: 'refuse'; why: string };

/**
 * What to do. `protectKernelDefaults`: the kubelet's setting, null when its configuration could not be
 * read (the remedy then goes ahead and says it could not check).
 */
export function decidePanicReboot(input: {
  nbcon: boolean | null;
  panicSeconds: number | null;
  remedy: PanicRebootRemedy;
  protectKernelDefaults: boolean | null;
}): PanicRebootDecision {
  if (input.nbcon !== true) {
    return { kind: 'sends', why: input.nbcon === false ? 'netconsole is a legacy console: it writes at panic time' : 'no nbcon netconsole registered' };
  }
  if (input.panicSeconds === 0) return { kind: 'sends', why: 'kernel.panic=0: the kernel hangs, and the final flush sends the panic' };
  if (input.remedy === 'report') return { kind: 'suppressed', remedy: 'off' };
  if (input.protectKernelDefaults === true) {
    return { kind: 'refuse', why: 'the kubelet has protectKernelDefaults: true (it refuses to start unless kernel.panic=10)' };
  }
  return { kind: 'set-zero' };
}

const ADVICE =
  'Either let the agent set kernel.panic=0 on such nodes (chart value agent.panicReboot: set-panic-zero; the ' +
  'node then hangs after a panic: a hardware/hypervisor watchdog, pvpanic, the cloud\'s auto-repair or ' +
  'Karpenter/Cluster API replacing the instance once the Node is deleted must restart it), or accept ' +
  'Kubernetes\' own slow path for this node';

/** The check's outcome in words, for the Node condition and `lastgasp hosts`. */
export function panicRebootMessage(check: PanicRebootCheck): string {
  const panic = check.panicSeconds === null ? 'unknown' : String(check.panicSeconds);
  const problem =
    `nbcon netconsole with kernel.panic=${panic}: the kernel reboots before netconsole sends the panic, ` +
    'so no last gasp leaves this node';
  switch (check.remedy) {
    case 'off':
      return `${problem}. ${ADVICE}`;
    case 'refused':
      return `${problem}; not setting kernel.panic=0: ${check.detail}. ${ADVICE}`;
    case 'applied':
      return check.detail;
    case 'not-needed':
      return check.detail;
  }
}
