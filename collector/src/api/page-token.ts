// Opaque page tokens: base64url of a small JSON cursor naming the listing it belongs to. Clients pass
// them back unchanged; anything else is rejected as INVALID_ARGUMENT.
import { invalidArgument } from './errors.js';

/** Hosts are listed by address; the cursor is the last address returned. */
export interface HostsCursor {
  list: 'hosts';
  after: string;
}

/** Incidents are listed newest first; the cursor is the last ordinal returned. */
export interface IncidentsCursor {
  list: 'incidents';
  before: number;
}

export type PageCursor = HostsCursor | IncidentsCursor;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function encodePageToken(cursor: PageCursor): string {
  const payload = cursor.list === 'hosts' ? { l: 'h', a: cursor.after } : { l: 'i', b: cursor.before };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Empty token: first page (undefined). A token of another listing or not ours: INVALID_ARGUMENT. */
export function decodePageToken<L extends PageCursor['list']>(
  token: string,
  list: L,
): Extract<PageCursor, { list: L }> | undefined {
  if (token === '') return undefined;
  const cursor = parse(token);
  if (cursor === undefined || cursor.list !== list) {
    throw invalidArgument('page_token', 'not a token of this listing; pass next_page_token unchanged');
  }
  return cursor as Extract<PageCursor, { list: L }>;
}

function parse(token: string): PageCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(token)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.l === 'h' && typeof record.a === 'string' && record.a !== '') {
    return { list: 'hosts', after: record.a };
  }
  if (record.l === 'i' && typeof record.b === 'number' && Number.isSafeInteger(record.b) && record.b > 0) {
    return { list: 'incidents', before: record.b };
  }
  return undefined;
}

/** 0 → the default; negative → INVALID_ARGUMENT; above the maximum → the maximum. */
export function pageSize(requested: number): number {
  if (!Number.isInteger(requested) || requested < 0) {
    throw invalidArgument('page_size', `must be 0 or positive, got ${requested}`);
  }
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}
