// Where a process spent its CPU, from a V8 `.cpuprofile` (`node --cpu-prof`): self time grouped by the
// package or Node.js module that owns the code, and the busiest functions. Pure over the parsed JSON.

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  /** Wall time the profile covers, ms. */
  spanMs: number;
  /** Self time (ms) by owner, busiest first; `(idle)` is time with nothing to run. */
  byOwner: [string, number][];
  /** Self time (ms) by `function (owner)`, busiest first. */
  byFunction: [string, number][];
}

/** Who owns a frame: an npm package, a Node.js module, the project's own code, or a V8 pseudo-frame. */
export function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : `native ${functionName || '(anonymous)'}`;
  if (url.startsWith('node:')) return url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  const own = /\/(collector|proto)\/(?:dist|src)\//.exec(url);
  if (own?.[1] !== undefined) return `@lastgasp/${own[1]}`;
  return url;
}

function sorted(map: Map<string, number>): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1]);
}

export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const spanMs = (profile.endTime - profile.startTime) / 1000;
  const totalHits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const msPerHit = totalHits === 0 ? 0 : spanMs / totalHits;
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { url, functionName } = node.callFrame;
    const owner = ownerOf(url, functionName);
    const ms = hits * msPerHit;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} (${owner})`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  }
  return { spanMs, byOwner: sorted(byOwner), byFunction: sorted(byFunction) };
}

export function formatProfile(s: ProfileSummary, rows = 12): string[] {
  const busy = s.byOwner.filter(([owner]) => owner !== '(idle)').reduce((n, [, ms]) => n + ms, 0);
  const pct = (ms: number) => `${((ms / Math.max(busy, 1)) * 100).toFixed(1).padStart(5)} %`;
  return [
    `CPU profile over ${(s.spanMs / 1000).toFixed(1)} s: ${(busy / 1000).toFixed(1)} s busy; self time by owner (share of busy time):`,
    ...s.byOwner.filter(([owner]) => owner !== '(idle)').slice(0, rows).map(([owner, ms]) => `  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${owner}`),
    'busiest functions (self time):',
    ...s.byFunction.filter(([fn]) => !fn.startsWith('(idle)')).slice(0, rows).map(([fn, ms]) => `  ${pct(ms)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${fn}`),
  ];
}
