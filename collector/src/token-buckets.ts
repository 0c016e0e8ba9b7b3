// Token buckets keyed by a string (a sender's address, a Node's name), with the time passed in. Each key
// holds up to `burst` tokens and regains `perMinute` a minute; `take` spends one when there is one. The
// table is bounded: past `maxKeys` the key used least recently is forgotten, which can only be generous
// (a forgotten key comes back with a full bucket), never block a sender that has tokens. Pure.

export interface BucketSettings {
  /** Tokens a key starts with, and the most it can save up. */
  burst: number;
  /** Tokens regained per minute. */
  perMinute: number;
}

export interface TokenBuckets {
  /** Spends a token of `key` at `now` (ms); false when it has none. */
  take(key: string, now: number): boolean;
  /** Keys held. */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createTokenBuckets(settings: BucketSettings, maxKeys: number): TokenBuckets {
  const buckets = new Map<string, Bucket>();
  const perMs = settings.perMinute / 60_000;
  return {
    take(key, now) {
      const found = buckets.get(key);
      let bucket: Bucket;
      if (found === undefined) {
        bucket = { tokens: settings.burst, at: now };
      } else {
        buckets.delete(key);
        // A clock that went back refills nothing and takes nothing away.
        const elapsed = Math.max(0, now - found.at);
        bucket = { tokens: Math.min(settings.burst, found.tokens + elapsed * perMs), at: Math.max(found.at, now) };
      }
      // Re-inserted, so the Map's order is least recently used first.
      buckets.set(key, bucket);
      while (buckets.size > maxKeys) {
        const oldest = buckets.keys().next();
        if (oldest.done === true) break;
        buckets.delete(oldest.value);
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    size: () => buckets.size,
  };
}
