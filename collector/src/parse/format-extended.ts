// The inverse of parse-extended: builds the datagrams the kernel's netconsole sends for one record,
// split into `ncfrag` fragments exactly as drivers/net/netconsole.c does (1000-byte datagrams).
// Used by tests, replay fixtures and load generators.

export interface ExtendedRecordSpec {
  facility?: number;
  level?: number;
  seq: number;
  timestampUs: number;
  text: string;
  continuation?: boolean;
  release?: string;
  userdata?: Record<string, string>;
}

/** Longest datagram netconsole sends (MAX_PRINT_CHUNK). */
export const MAX_PRINT_CHUNK = 1000;

export function formatExtended(spec: ExtendedRecordSpec): Buffer[] {
  const prefix = ((spec.facility ?? 0) << 3) | (spec.level ?? 0);
  const release = spec.release === undefined ? '' : `${spec.release},`;
  const header = `${release}${prefix},${spec.seq},${spec.timestampUs},${spec.continuation === true ? 'c' : '-'}`;
  const extras = Object.entries(spec.userdata ?? {}).map(([key, value]) => ` ${key}=${value}\n`).join('');
  const body = Buffer.from(`${spec.text}\n${extras}`);
  const whole = Buffer.concat([Buffer.from(`${header};`), body]);
  if (whole.length <= MAX_PRINT_CHUNK) return [whole];
  const out: Buffer[] = [];
  for (let offset = 0; offset < body.length; ) {
    const head = Buffer.from(`${header},ncfrag=${offset}/${body.length};`);
    const chunk = Math.min(body.length - offset, MAX_PRINT_CHUNK - head.length);
    out.push(Buffer.concat([head, body.subarray(offset, offset + chunk)]));
    offset += chunk;
  }
  return out;
}
