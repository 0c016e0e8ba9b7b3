// Pure: counts messages lost between a node and the collector from netconsole's sysdata `msgid` (7.x:
// a per-target 32-bit counter, incremented for every message the target actually sends, wrapping at
// 2^32). A gap is loss on the way (or in the fragment pool); messages the console log level filtered out
// never took a msgid. One target per collector endpoint, so one counter per source address here.
// A jump too large to be loss, or a step back beyond the reorder window, is a new counter (the target
// was re-created or the node rebooted): counted as a restart, not as loss.

const WRAP = 2 ** 32;
const HALF = 2 ** 31;

export interface MsgidLimits {
  /** A forward gap larger than this is a restarted counter, not loss. */
  maxGap: number;
  /** A msgid this far behind the newest one is a late arrival (one fewer lost), not a restart. */
  reorderWindow: number;
}

export const DEFAULT_MSGID_LIMITS: MsgidLimits = { maxGap: 100_000, reorderWindow: 1024 };

export interface MsgidState {
  /** Newest msgid seen, null before the first. */
  last: number | null;
  /** Messages missing so far (late arrivals subtracted). */
  lost: number;
  /** Counters that started over (target re-created, node rebooted). */
  restarts: number;
  /** Records that carried a msgid. */
  seen: number;
}

export function createMsgidState(): MsgidState {
  return { last: null, lost: 0, restarts: 0, seen: 0 };
}

/** Parses a sysdata msgid value; null when absent or not a 32-bit unsigned integer. */
export function parseMsgid(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,10}$/.test(value)) return null;
  const n = Number(value);
  return n < WRAP ? n : null;
}

/** Takes one msgid; returns how many messages it newly shows lost (negative for a late arrival). */
export function observeMsgid(state: MsgidState, msgid: number, limits: MsgidLimits = DEFAULT_MSGID_LIMITS): number {
  state.seen += 1;
  const last = state.last;
  if (last === null) {
    state.last = msgid;
    return 0;
  }
  const ahead = (msgid - last + WRAP) % WRAP;
  if (ahead === 0) return 0;
  if (ahead < HALF) {
    state.last = msgid;
    if (ahead > limits.maxGap) {
      state.restarts += 1;
      return 0;
    }
    state.lost += ahead - 1;
    return ahead - 1;
  }
  const behind = WRAP - ahead;
  if (behind <= limits.reorderWindow) {
    if (state.lost === 0) return 0;
    state.lost -= 1;
    return -1;
  }
  state.last = msgid;
  state.restarts += 1;
  return 0;
}
