// What a V8 heap snapshot (`.heapsnapshot`, written by `node --heapsnapshot-signal`) holds: self size
// summed by object kind and constructor, to say which objects make up a process's memory. Pure over
// the parsed JSON.

export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
  nodes: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  objects: number;
  /** `type name` → bytes and count, largest first. */
  byConstructor: [string, { bytes: number; count: number }][];
}

export function summariseHeap(s: HeapSnapshot): HeapSummary {
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = s.snapshot.meta.node_types[typeAt];
  if (typeAt < 0 || nameAt < 0 || sizeAt < 0 || !Array.isArray(typeNames)) throw new Error('not a V8 heap snapshot: node fields missing');
  const groups = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  let objects = 0;
  for (let i = 0; i + width <= s.nodes.length; i += width) {
    const type = String(typeNames[s.nodes[i + typeAt] ?? 0]);
    const size = s.nodes[i + sizeAt] ?? 0;
    // Strings and code are grouped by kind: their "names" are their contents.
    const name = type === 'object' || type === 'closure' || type === 'native' ? (s.strings[s.nodes[i + nameAt] ?? 0] ?? '?') : '';
    const key = name === '' ? `(${type})` : `${type} ${name}`;
    const g = groups.get(key) ?? { bytes: 0, count: 0 };
    g.bytes += size;
    g.count += 1;
    groups.set(key, g);
    totalBytes += size;
    objects += 1;
  }
  return { totalBytes, objects, byConstructor: [...groups].sort((a, b) => b[1].bytes - a[1].bytes) };
}

export function formatHeap(h: HeapSummary, rows = 15): string[] {
  const mib = (b: number) => (b / 1048576).toFixed(1).padStart(6);
  return [
    `heap snapshot: ${mib(h.totalBytes).trim()} MiB in ${h.objects} objects; largest groups by self size:`,
    ...h.byConstructor.slice(0, rows).map(([key, g]) => `  ${mib(g.bytes)} MiB  ${String(g.count).padStart(8)} × ${key}`),
  ];
}
