// Loader and JavaScript side of the optional batch receiver (recvmmsg.c). `loadBatchReceiver()`
// returns null when the addon was not built or does not load, so callers fall back to node:dgram.
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';

const require = createRequire(import.meta.url);
const META_WORDS = 8;

/** Dotted quad of a host-order IPv4 address. */
function formatIPv4(n) {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text of an IPv6 address given as four host-order words; IPv4-mapped addresses as IPv4. */
export function formatIPv6(w0, w1, w2, w3) {
  const bytes = [];
  for (const w of [w0, w1, w2, w3]) bytes.push(w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
  const address = ipaddr.fromByteArray(bytes);
  return address.isIPv4MappedAddress() ? address.toIPv4Address().toString() : address.toString();
}

/**
 * Source address strings are cached per address (a bounded number of hosts send to a collector), so
 * a datagram costs no string building. The cache is cleared when it outgrows `maxCachedAddresses`.
 */
function addressCache(maxCachedAddresses) {
  const v4 = new Map();
  const v6 = new Map();
  return (meta, i) => {
    if (meta[i + 2] === 4) {
      const key = meta[i + 4];
      let text = v4.get(key);
      if (text === undefined) {
        if (v4.size >= maxCachedAddresses) v4.clear();
        text = formatIPv4(key);
        v4.set(key, text);
      }
      return text;
    }
    const key = `${meta[i + 4]},${meta[i + 5]},${meta[i + 6]},${meta[i + 7]}`;
    let text = v6.get(key);
    if (text === undefined) {
      if (v6.size >= maxCachedAddresses) v6.clear();
      text = formatIPv6(meta[i + 4], meta[i + 5], meta[i + 6], meta[i + 7]);
      v6.set(key, text);
    }
    return text;
  };
}

export function loadBatchReceiver() {
  let addon;
  try {
    addon = require('./build/recvmmsg.node');
  } catch {
    return null;
  }
  return {
    open(options) {
      const addressOf = addressCache(options.maxCachedAddresses ?? 65536);
      const onBatchStart = options.onBatch;
      const onBatch = (data, meta) => {
        if (onBatchStart !== undefined) onBatchStart(meta.length / META_WORDS, data.length);
        for (let i = 0; i < meta.length; i += META_WORDS) {
          options.onDatagram(data.subarray(meta[i], meta[i] + meta[i + 1]), addressOf(meta, i), meta[i + 3]);
        }
      };
      return addon.open(options.host, options.port, options.recvBufferBytes, options.ipv6Only ?? false, onBatch);
    },
  };
}
