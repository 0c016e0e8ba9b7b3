// .dockerignore semantics, enough to tell whether a path reaches the build context: patterns are
// slash-separated globs relative to the context root (`*` and `?` within one segment, `**` across
// segments), `!` re-includes, the last matching pattern wins, and a pattern that matches a directory
// excludes everything below it.

interface Rule {
  regex: RegExp;
  exclude: boolean;
}

function escapeRegex(char: string): string {
  return /[.+^${}()|[\]\\]/.test(char) ? `\\${char}` : char;
}

function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i);
    if (char === '*' && glob.charAt(i + 1) === '*') {
      // `**/` matches zero or more whole segments; a trailing `**` matches everything.
      if (glob.charAt(i + 2) === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (char === '*') {
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else {
      out += escapeRegex(char);
    }
  }
  return new RegExp(`^${out}$`);
}

export function parseDockerignore(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    const pattern = (exclude ? line : line.slice(1)).trim().replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern !== '') rules.push({ regex: globToRegex(pattern), exclude });
  }
  return rules;
}

/** True when `path` (relative to the context root, `/`-separated) is left out of the context. */
export function isIgnored(rules: Rule[], path: string): boolean {
  const clean = path.replace(/^\.\//, '').replace(/\/+$/, '');
  const segments = clean.split('/');
  let ignored = false;
  for (const rule of rules) {
    // The path itself or one of its parent directories matching the pattern counts.
    for (let n = 1; n <= segments.length; n++) {
      if (rule.regex.test(segments.slice(0, n).join('/'))) {
        ignored = rule.exclude;
        break;
      }
    }
  }
  return ignored;
}
