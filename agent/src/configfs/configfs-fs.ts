// The narrow file-system surface the agent uses on configfs. The real implementation is node:fs on the
// configured root; unit tests put a stand-in behind it that enforces the kernel's rules.
import { mkdir, readFile, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';

export interface ConfigfsFs {
  /** Names in a directory (files and subdirectories). */
  list(path: string): Promise<string[]>;
  isDirectory(path: string): Promise<boolean>;
  mkdir(path: string): Promise<void>;
  /** Removes a target or userdata item directory. */
  rmdir(path: string): Promise<void>;
  read(path: string): Promise<string>;
  write(path: string, value: string): Promise<void>;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function createNodeConfigfsFs(): ConfigfsFs {
  return {
    list: (path) => readdir(path),
    async isDirectory(path) {
      try {
        return (await stat(path)).isDirectory();
      } catch (err) {
        if (errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR') return false;
        throw err;
      }
    },
    mkdir: (path) => mkdir(path),
    async rmdir(path) {
      try {
        await rmdir(path);
      } catch (err) {
        // configfs removes an item directory together with its attributes; only an ordinary directory
        // (a test or benchmark root) refuses with ENOTEMPTY, and there the files are plain files.
        if (errorCode(err) !== 'ENOTEMPTY') throw err;
        await rm(path, { recursive: true });
      }
    },
    read: (path) => readFile(path, 'utf8'),
    // configfs takes one write(2) per value; a single writeFile call without an encoding loop does that.
    write: (path, value) => writeFile(path, value),
  };
}

export { errorCode };
