// The agent from this checkout running inside the guest (the guest mounts the host's root at the same
// paths, so the same sources and Node.js run there), and what the scenarios read back from the guest:
// its netconsole targets in configfs, sampled continuously for the make-before-break check.
import type { Guest, GuestProcess } from '@lastgasp/testbed/kernel';
import { REPO_ROOT } from './paths.js';

export const CONFIGFS_ROOT = '/sys/kernel/config';
const GUEST_KUBECONFIG = '/tmp/lastgasp-agent.kubeconfig';

export interface GuestAgentOptions {
  /** The agent as one JavaScript file the guest can read (see agent-bundle.ts). */
  entry: string;
  nodeName: string;
  collectorNamespace: string;
  collectorService: string;
  /** Kubeconfig text valid from inside the guest. */
  kubeconfigText: string;
  extraArgs?: string[];
}

export interface GuestAgent {
  process: GuestProcess;
  /** Every output line so far (pino JSON). */
  lines(): string[];
  stop(): Promise<void>;
}

export function startGuestAgent(vm: Guest, o: GuestAgentOptions, onLine?: (line: string) => void): GuestAgent {
  const lines: string[] = [];
  const args = [
    o.entry,
    '--kubeconfig', GUEST_KUBECONFIG,
    '--node-name', o.nodeName,
    '--collector-namespace', o.collectorNamespace,
    '--collector-service', o.collectorService,
    '--configfs-root', CONFIGFS_ROOT,
    ...(o.extraArgs ?? []),
  ];
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const cmd = `printf '%s' "$AGENT_KUBECONFIG" > ${GUEST_KUBECONFIG} && exec node ${quoted}`;
  const process = vm.spawn(cmd, {
    cwd: REPO_ROOT,
    env: { AGENT_KUBECONFIG: o.kubeconfigText, NODE_NAME: o.nodeName },
    onLine: (line) => {
      lines.push(line);
      onLine?.(line);
    },
  });
  return {
    process,
    lines: () => lines,
    stop: async () => {
      process.kill('SIGKILL');
      await process.exited;
    },
  };
}

export interface GuestTarget {
  name: string;
  enabled: boolean;
  remoteIp: string;
  remotePort: string;
  remoteMac: string;
  devName: string;
  extended: boolean;
}

/** The guest's netconsole targets as configfs shows them now. */
export async function readGuestTargets(vm: Guest): Promise<GuestTarget[]> {
  const dir = `${CONFIGFS_ROOT}/netconsole`;
  const script =
    `for d in ${dir}/*/; do [ -d "$d" ] || continue; ` +
    `printf '%s|%s|%s|%s|%s|%s|%s\\n' "$(basename "$d")" "$(cat "$d/enabled")" "$(cat "$d/remote_ip")" ` +
    `"$(cat "$d/remote_port")" "$(cat "$d/remote_mac")" "$(cat "$d/dev_name")" "$(cat "$d/extended")"; done`;
  const result = await vm.run(script, { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(`reading configfs in the guest failed (${String(result.code)}): ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const [name = '', enabled = '', remoteIp = '', remotePort = '', remoteMac = '', devName = '', extended = ''] = l.split('|');
      return { name, enabled: enabled === '1', remoteIp, remotePort, remoteMac, devName, extended: extended === '1' };
    });
}

/** One state of the guest's enabled targets, at guest time `t` (ms since the epoch, guest clock). */
export interface TargetSample {
  t: number;
  /** remote_ip of every enabled target, sorted. */
  enabled: string[];
}

export interface TargetSampler {
  /** Changes of the enabled set, in order; the first entry is the state at start. */
  changes(): TargetSample[];
  /** Samples taken so far (the sampler reports a count with every tick). */
  samples(): number;
  /** Mean ms between samples since the first tick (the guest is emulated: slower than asked); null before two ticks. */
  meanIntervalMs(): number | null;
  /** Host clock minus guest clock (ms), estimated from tick arrival; null before the first tick. */
  offsetMs(): number | null;
  stop(): Promise<void>;
}

/**
 * Reads the guest's configfs in a loop (asked for every 5 ms; emulation makes it slower) inside the guest and reports each change of
 * the enabled set with the guest's time, plus a tick every 100 ms. The host estimates the clock offset
 * as the minimum of (arrival on the host − guest time of the tick): the offset plus the smallest
 * one-way delay of the channel, so guest times converted with it are late by at most that delay.
 */
const SAMPLER = `
const fs = require('node:fs');
const dir = process.argv[1];
let last = null, samples = 0;
function read() {
  const enabled = [];
  let names = [];
  try { names = fs.readdirSync(dir); } catch {}
  for (const n of names) {
    try {
      if (fs.readFileSync(dir + '/' + n + '/enabled', 'utf8').trim() === '1') enabled.push(fs.readFileSync(dir + '/' + n + '/remote_ip', 'utf8').trim());
    } catch {}
  }
  return enabled.sort();
}
function sample() {
  samples++;
  const enabled = read();
  const key = enabled.join(',');
  if (key !== last) { last = key; console.log(JSON.stringify({ t: Date.now(), enabled })); }
}
setInterval(sample, 5);
setInterval(() => console.log(JSON.stringify({ tick: Date.now(), samples })), 100);
sample();
`;

export function startTargetSampler(vm: Guest): TargetSampler {
  const changes: TargetSample[] = [];
  let offset: number | null = null;
  let samples = 0;
  let firstTick: { t: number; samples: number } | null = null;
  let lastTick: { t: number; samples: number } | null = null;
  const process = vm.spawn(`exec node -e "$SCRIPT" ${CONFIGFS_ROOT}/netconsole`, {
    env: { SCRIPT: SAMPLER },
    onLine: (line) => {
      const arrived = Date.now();
      let value: { t?: number; enabled?: string[]; tick?: number; samples?: number };
      try {
        value = JSON.parse(line) as typeof value;
      } catch {
        return;
      }
      if (typeof value.tick === 'number') {
        const candidate = arrived - value.tick;
        offset = offset === null ? candidate : Math.min(offset, candidate);
        samples = value.samples ?? samples;
        lastTick = { t: value.tick, samples };
        firstTick ??= lastTick;
      } else if (typeof value.t === 'number' && Array.isArray(value.enabled)) {
        changes.push({ t: value.t, enabled: value.enabled });
      }
    },
  });
  return {
    changes: () => changes,
    samples: () => samples,
    meanIntervalMs: () =>
      firstTick === null || lastTick === null || lastTick.samples <= firstTick.samples
        ? null
        : (lastTick.t - firstTick.t) / (lastTick.samples - firstTick.samples),
    offsetMs: () => offset,
    stop: async () => {
      process.kill('SIGKILL');
      await process.exited;
    },
  };
}
