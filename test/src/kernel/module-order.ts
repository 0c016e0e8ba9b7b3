// Load order of kernel modules from a modules.dep file (as written by depmod): every module after the
// modules it depends on. Pure; the initramfs build feeds it the file's text.

export interface ModuleDepEntry {
  /** Path relative to /lib/modules/<release>/, e.g. `kernel/drivers/net/netconsole.ko`. */
  path: string;
  /** Paths of the modules it needs, as listed by depmod. */
  dependencies: string[];
}

/** Module name of a path: basename without `.ko[.xz|.zst|.gz]`, with `-` normalised to `_`. */
export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

export function parseModulesDep(text: string): Map<string, ModuleDepEntry> {
  const entries = new Map<string, ModuleDepEntry>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const path = line.slice(0, colon).trim();
    const dependencies = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter((d) => d !== '');
    entries.set(moduleName(path), { path, dependencies });
  }
  return entries;
}

/**
 * Paths of `wanted` modules and everything they depend on, dependencies first, each once. Throws
 * naming the module when a wanted one (or a dependency) is not in the table.
 */
export function moduleLoadOrder(deps: Map<string, ModuleDepEntry>, wanted: readonly string[]): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();
  const visit = (name: string, neededBy: string | null): void => {
    if (done.has(name)) return;
    const entry = deps.get(name);
    if (entry === undefined) {
      throw new Error(`kernel module ${name}${neededBy === null ? '' : ` (needed by ${neededBy})`} is not in modules.dep`);
    }
    if (visiting.has(name)) throw new Error(`kernel module dependency cycle through ${name}`);
    visiting.add(name);
    for (const dependency of entry.dependencies) visit(moduleName(dependency), name);
    visiting.delete(name);
    done.add(name);
    order.push(entry.path);
  };
  for (const name of wanted) visit(name.replace(/-/g, '_'), null);
  return order;
}
