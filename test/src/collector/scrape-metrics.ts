// The collector's /metrics endpoint (Prometheus text format).

/** The body of `GET <httpBase>/metrics`, `httpBase` as `http://host:port`; throws on any status but 2xx. */
export async function scrapeMetrics(httpBase: string): Promise<string> {
  const response = await fetch(`${httpBase}/metrics`);
  if (!response.ok) throw new Error(`GET ${httpBase}/metrics: HTTP ${response.status}`);
  return response.text();
}
