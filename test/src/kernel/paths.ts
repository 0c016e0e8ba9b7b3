// Where the test bed keeps things: the machine-wide cache (outside the checkout) and the checked-in
// guest-side sources under test/kernel/.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `${LASTGASP_CACHE:-$HOME/.cache/lastgasp}`, shared with the control-plane binaries. */
export function cacheRoot(): string {
  const fromEnv = process.env['LASTGASP_CACHE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'lastgasp');
}

/** test/kernel/ — the same relative place from src/kernel and from dist/kernel. */
export function guestSourcesDir(): string {
  return fileURLToPath(new URL('../../kernel/', import.meta.url));
}
