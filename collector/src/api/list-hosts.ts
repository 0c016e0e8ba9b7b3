// ListHosts: filter by node, order by address, page by the last address returned. Pure.
import type { ListHostsRequest__Output, ListHostsResponse } from '@lastgasp/proto';
import { decodePageToken, encodePageToken, pageSize } from './page-token.js';
import type { HostView } from './status-source.js';
import { hostMessage } from './to-proto.js';

export function listHosts(hosts: readonly HostView[], request: ListHostsRequest__Output): ListHostsResponse {
  const size = pageSize(request.pageSize);
  const cursor = decodePageToken(request.pageToken, 'hosts');
  const matching = hosts
    .filter((h) => request.node === '' || h.node === request.node)
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const rest = cursor === undefined ? matching : matching.filter((h) => h.address > cursor.after);
  const page = rest.slice(0, size);
  const last = page.at(-1);
  return {
    hosts: page.map(hostMessage),
    nextPageToken: rest.length > size && last !== undefined ? encodePageToken({ list: 'hosts', after: last.address }) : '',
    totalSize: matching.length,
  };
}
