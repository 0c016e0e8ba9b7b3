// Pure reading of `ip monitor route neigh link` lines (iproute2 prints text here even with -json).
// Only the facts the agent reacts to: which neighbour changed and to what MAC, which link changed.

export type MonitorEvent =
  | { kind: 'route' }
  | { kind: 'neigh'; address: string; device: string | null; mac: string | null; deleted: boolean }
  | { kind: 'link'; device: string }
  | { kind: 'other' };

const LINK_LINE = /^(?:Deleted )?\d+: ([^:@\s]+)(?:@[^:\s]+)?: </;
const NEIGH_LINE = /^(?:(Deleted|Miss) )?([0-9a-fA-F.:]+) (?:dev (\S+))?/;

export function parseMonitorLine(line: string): MonitorEvent {
  const link = LINK_LINE.exec(line);
  if (link?.[1] !== undefined) return { kind: 'link', device: link[1] };
  const neigh = NEIGH_LINE.exec(line);
  // Neighbour lines carry a device and either lladdr or a state; route lines carry via/proto/scope/table.
  const isNeigh =
    neigh?.[2] !== undefined &&
    !neigh[2].includes('/') &&
    / (lladdr|FAILED|INCOMPLETE|REACHABLE|STALE|DELAY|PROBE|PERMANENT|NOARP|NONE)\b/.test(line) &&
    !/ (via|proto|scope|table|metric) /.test(line);
  if (isNeigh && neigh?.[2] !== undefined) {
    const mac = / lladdr ([0-9a-fA-F:]{17})/.exec(line)?.[1]?.toLowerCase() ?? null;
    return { kind: 'neigh', address: neigh[2], device: neigh[3] ?? null, mac, deleted: neigh[1] !== undefined };
  }
  if (/^(Deleted )?(unreachable |blackhole |prohibit |local |broadcast |multicast )?[0-9a-fA-F.:/]+|^(Deleted )?default /.test(line)) {
    return { kind: 'route' };
  }
  return { kind: 'other' };
}
