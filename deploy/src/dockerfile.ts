// Reads the parts of a Dockerfile that can be checked without a Docker engine: stages (FROM), COPY
// sources and destinations, WORKDIR, ENTRYPOINT/CMD, USER. Not a full parser: ARGs declared before the
// first FROM are expanded in FROM with their defaults (${NAME}, as a plain build does); no other
// expansion, no heredocs, no ADD; the Dockerfiles of this repository use none of them.

export interface Copy {
  /** Stage name or index given with --from, or null for the build context. */
  from: string | null;
  sources: string[];
  dest: string;
  /** WORKDIR in effect, for relative destinations. */
  workdir: string;
  line: number;
}

export interface Stage {
  image: string;
  name: string | null;
  copies: Copy[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  user: string | null;
  workdir: string;
}

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Joins backslash continuations and drops comments and blank lines. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== '' && trimmed.startsWith('#')) return;
    if (pending === '') startLine = i + 1;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      return;
    }
    const full = pending + trimmed;
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (match?.[1] !== undefined) out.push({ keyword: match[1].toUpperCase(), args: match[2] ?? '', line: startLine });
  });
  return out;
}

/** Exec form (a JSON array) or shell form (wrapped in /bin/sh -c like Docker does). */
function commandForm(args: string): string[] {
  if (args.startsWith('[')) {
    const parsed: unknown = JSON.parse(args);
    if (!Array.isArray(parsed) || !parsed.every((p): p is string => typeof p === 'string')) {
      throw new Error(`not a JSON array of strings: ${args}`);
    }
    return parsed;
  }
  return ['/bin/sh', '-c', args];
}

function parseCopy(args: string, workdir: string, line: number): Copy {
  const words = args.split(/\s+/).filter((w) => w !== '');
  let from: string | null = null;
  const paths: string[] = [];
  for (const word of words) {
    if (word.startsWith('--from=')) from = word.slice('--from='.length);
    else if (!word.startsWith('--')) paths.push(word);
  }
  const dest = paths.pop();
  if (dest === undefined || paths.length === 0) throw new Error(`line ${line}: COPY needs a source and a destination`);
  return { from, sources: paths, dest, workdir, line };
}

function resolveWorkdir(current: string, next: string): string {
  if (next.startsWith('/')) return next;
  return `${current.replace(/\/$/, '')}/${next}`;
}

/** `${NAME}` and `$NAME` in a FROM, from the global ARGs' defaults; an ARG without one is an error. */
function expandGlobalArgs(value: string, args: Map<string, string>, line: number): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_all, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const found = args.get(name);
    if (found === undefined) throw new Error(`line ${line}: FROM uses ${name}, which no ARG before the first FROM gives a default`);
    return found;
  });
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  for (const ins of instructions(text)) {
    if (ins.keyword === 'FROM') {
      const match = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (match?.[1] === undefined) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ image: expandGlobalArgs(match[1], globalArgs, ins.line), name: match[2] ?? null, copies: [], entrypoint: null, cmd: null, user: null, workdir: '/' });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (ins.keyword === 'ARG') {
        const arg = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?$/.exec(ins.args.trim());
        if (arg?.[1] !== undefined && arg[2] !== undefined) globalArgs.set(arg[1], arg[2].replace(/^"(.*)"$/, '$1'));
        continue;
      }
      throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
    }
    switch (ins.keyword) {
      case 'WORKDIR':
        stage.workdir = resolveWorkdir(stage.workdir, ins.args.trim());
        break;
      case 'COPY':
        stage.copies.push(parseCopy(ins.args, stage.workdir, ins.line));
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = commandForm(ins.args);
        break;
      case 'CMD':
        stage.cmd = commandForm(ins.args);
        break;
      case 'USER':
        stage.user = ins.args.trim();
        break;
      case 'ADD':
        throw new Error(`line ${ins.line}: use COPY, not ADD`);
      default:
        break;
    }
  }
  return stages;
}

/** Absolute path a COPY writes to, for a destination relative to the stage's WORKDIR. */
export function copyDestination(copy: Copy): string {
  return copy.dest.startsWith('/') ? copy.dest : resolveWorkdir(copy.workdir, copy.dest);
}

/** The Node.js major version of an official `node:<version>[-variant]` image, or null. */
export function nodeMajorOf(image: string): number | null {
  const match = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)(?:[.-]|$)/.exec(image);
  return match?.[1] === undefined ? null : Number(match[1]);
}
