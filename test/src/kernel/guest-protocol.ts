// Messages between the host and the guest command server (test/kernel/guest-server.mjs), one JSON
// object per line over the virtio-serial port. Decoding is pure and never throws: a malformed line is
// a null the caller counts.

export type HostMessage =
  | { t: 'spawn'; id: number; cmd: string; env?: Record<string, string>; cwd?: string }
  | { t: 'kill'; id: number; signal: NodeJS.Signals };

export type GuestMessage =
  | { t: 'ready'; pid: number; uptimeMs: number }
  | { t: 'out'; id: number; fd: 1 | 2; data: Buffer }
  | { t: 'exit'; id: number; code: number | null; signal: string | null }
  | { t: 'error'; id: number; message: string };

export function encodeHostMessage(message: HostMessage): string {
  return `${JSON.stringify(message)}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isNullableInt = (v: unknown): v is number | null => v === null || isInt(v);

export function decodeGuestMessage(line: string): GuestMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const { t, id } = value;
  if (t === 'ready' && isInt(value['pid']) && isInt(value['uptimeMs'])) {
    return { t, pid: value['pid'], uptimeMs: value['uptimeMs'] };
  }
  if (!isInt(id)) return null;
  if (t === 'out' && (value['fd'] === 1 || value['fd'] === 2) && typeof value['data'] === 'string') {
    return { t, id, fd: value['fd'], data: Buffer.from(value['data'], 'base64') };
  }
  if (t === 'exit' && isNullableInt(value['code']) && isNullableString(value['signal'])) {
    return { t, id, code: value['code'], signal: value['signal'] };
  }
  if (t === 'error' && typeof value['message'] === 'string') return { t, id, message: value['message'] };
  return null;
}
